using System.Diagnostics;
using System.Text.RegularExpressions;

namespace DataMover.Bench;

/// <summary>s3rver (installed under .tools by scripts/prereqs.sh) on a port it picks and prints.</summary>
internal sealed partial class S3Server : IAsyncDisposable
{
    public const string Key = "S3RVER";

    private S3Server(ChildProcess process, int port)
    {
        Process = process;
        Port = port;
    }

    public ChildProcess Process { get; }

    public int Port { get; }

    public static async Task<S3Server> StartAsync(BenchOptions options, string workDir, CancellationToken ct)
    {
        var storage = Path.Combine(workDir, "s3");
        Directory.CreateDirectory(storage);
        var info = new ProcessStartInfo(Path.Combine(options.RepoRoot, ".tools/node_modules/.bin/s3rver"));
        foreach (var arg in new[] { "--directory", storage, "--address", "127.0.0.1", "--port", "0" })
        {
            info.ArgumentList.Add(arg);
        }

        // s3rver encrypts list continuation tokens with DES, which Node 17+ only offers through the legacy provider.
        info.Environment["NODE_OPTIONS"] = "--openssl-legacy-provider";
        var process = ChildProcess.Start("s3rver", info, Path.Combine(workDir, "s3rver.log"));
        try
        {
            var match = await process.WaitForLineAsync(ListeningLine(), TimeSpan.FromSeconds(30), ct);
            return new S3Server(process, int.Parse(match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();

    [GeneratedRegex(@"S3rver listening on .*:(?<port>\d+)\s*$")]
    private static partial Regex ListeningLine();
}
