using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using System.Text.RegularExpressions;

namespace DataMover.EndToEnd.Tests.Support;

/// <summary>
/// A real SFTP server (<c>rclone serve sftp</c>) on a free loopback port, serving its own temporary
/// directory (<see cref="Root"/>) to one user with a password. It stands in for a NAS: the mover
/// talks SFTP to it exactly as to OpenSSH, and the test reads what landed straight from the disk.
/// Dispose to stop it and delete the directory.
/// </summary>
/// <remarks>
/// Unlike OpenSSH, rclone's server answers the mover's md5sum/sha1sum requests itself, so hashes
/// are compared unless the remote sets <c>DISABLE_HASHCHECK</c>.
/// </remarks>
[SupportedOSPlatform("linux")]
internal sealed partial class SftpServer : IAsyncDisposable
{
    public const string Host = "127.0.0.1";
    public const string User = "backup";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly string _scratch;
    private readonly ServerProcessOutput _output;

    private SftpServer(Process process, string scratch, ServerProcessOutput output, int port, string password)
    {
        _process = process;
        _scratch = scratch;
        _output = output;
        Port = port;
        Password = password;
    }

    /// <summary>The directory the server serves: an SFTP path "/x" is <c>Root/x</c>.</summary>
    public string Root => Path.Combine(_scratch, "served");

    public int Port { get; }

    /// <summary>The user's password in clear (a random one per server).</summary>
    public string Password { get; }

    /// <summary>What the server printed so far.</summary>
    public string Output => _output.Text;

    /// <summary>Starts the server and returns once it listens.</summary>
    public static async Task<SftpServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var scratch = Directory.CreateTempSubdirectory("datamover-sftp-").FullName;
        var served = Directory.CreateDirectory(Path.Combine(scratch, "served")).FullName;
        // The mover runs as uid 65534 in its sandbox; the server writes as the test's own user.
        File.SetUnixFileMode(served, (UnixFileMode)0b111_111_111);
        // An empty key list: only the password logs in (not whatever ~/.ssh/authorized_keys holds).
        var authorizedKeys = Path.Combine(scratch, "authorized_keys");
        await File.WriteAllTextAsync(authorizedKeys, "", cancellationToken);
        var password = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        var startInfo = new ProcessStartInfo("rclone")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // No configuration file, and the generated host keys go to the scratch directory, not ~/.cache.
        startInfo.Environment["RCLONE_CONFIG"] = "/dev/null";
        startInfo.Environment["RCLONE_CACHE_DIR"] = Path.Combine(scratch, "cache");
        // Port 0: the kernel picks a free port and rclone prints it, so there is no port race. No
        // directory cache: tests look at the disk behind the server's back.
        foreach (var argument in new[]
                 {
                     "serve", "sftp", served, "--addr", $"{Host}:0", "--user", User, "--pass", password,
                     "--authorized-keys", authorizedKeys, "--dir-cache-time", "0s",
                 })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var output = new ServerProcessOutput(process, "rclone serve sftp", ListeningLine());
        try
        {
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(StartTimeout);
            var port = await output.Port.WaitAsync(deadline.Token);
            return new SftpServer(process, scratch, output, port, password);
        }
        catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException)
        {
            ServerProcessOutput.Stop(process);
            process.Dispose();
            Directory.Delete(scratch, recursive: true);
            throw new InvalidOperationException(
                $"rclone serve sftp did not start within {StartTimeout.TotalSeconds:0}s:\n{output.Text}", ex);
        }
    }

    /// <summary>
    /// The Secret keys of a remote <paramref name="remote"/> pointing at this server, as a user
    /// writes them: the password obscured with <c>rclone obscure</c>, as rclone requires.
    /// </summary>
    public async Task<Dictionary<string, string>> SecretKeysAsync(string remote, string remotePath)
    {
        var prefix = $"RCLONE_CONFIG_{remote.ToUpperInvariant()}_";
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["MOVER_REMOTE"] = remote,
            ["MOVER_REMOTE_PATH"] = remotePath,
            [prefix + "TYPE"] = "sftp",
            [prefix + "HOST"] = Host,
            [prefix + "PORT"] = Port.ToString(CultureInfo.InvariantCulture),
            [prefix + "USER"] = User,
            [prefix + "PASS"] = await ObscureAsync(Password),
        };
    }

    public async ValueTask DisposeAsync()
    {
        ServerProcessOutput.Stop(_process);
        await _process.WaitForExitAsync();
        _process.Dispose();
        try
        {
            Directory.Delete(_scratch, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp directory must not fail the test run.
        }
    }

    private static async Task<string> ObscureAsync(string password)
    {
        var startInfo = new ProcessStartInfo("rclone") { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        startInfo.Environment["RCLONE_CONFIG"] = "/dev/null";
        // "-" reads the password from stdin, keeping it off the command line.
        foreach (var argument in new[] { "obscure", "-" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("rclone did not start");
        await process.StandardInput.WriteLineAsync(password);
        process.StandardInput.Close();
        var obscured = (await process.StandardOutput.ReadToEndAsync()).Trim();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 && obscured.Length > 0
            ? obscured
            : throw new InvalidOperationException($"rclone obscure failed with exit code {process.ExitCode}");
    }

    [GeneratedRegex(@"SFTP server listening on .*:(?<port>\d+)\s*$")]
    private static partial Regex ListeningLine();
}
