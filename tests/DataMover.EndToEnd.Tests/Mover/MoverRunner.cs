using System.Diagnostics;
using DataMover.EndToEnd.Tests.Support;

namespace DataMover.EndToEnd.Tests.Mover;

/// <summary>
/// Runs mover/entrypoint.sh the way the sandbox kubelet runs the mover container: under
/// bubblewrap as uid 65534, read-only root, the volume at /data (read-only), an empty writable
/// /config as HOME, and /dev/termination-log bound to a file the test reads afterwards. The
/// process gets only the pod's environment plus PATH, never the test host's (which carries
/// AWS_CA_BUNDLE and friends). Without a usable bwrap it falls back to running the script
/// directly with MOVER_SOURCE_DIR, HOME and TERMINATION_MESSAGE_PATH pointing at temp paths.
/// </summary>
internal static class MoverRunner
{
    private const string ContainerPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(3);
    private static readonly Lazy<bool> LazySandboxAvailable = new(ProbeSandbox);

    /// <summary>Whether runs go through bubblewrap (the real path) or the direct fallback.</summary>
    public static bool SandboxAvailable => LazySandboxAvailable.Value;

    /// <summary>Runs the entry point to completion; <paramref name="direct"/> skips the sandbox.</summary>
    public static Task<MoverResult> RunAsync(
        string sourceDirectory,
        IReadOnlyDictionary<string, string> podEnvironment,
        TimeSpan? timeout = null,
        bool direct = false,
        CancellationToken cancellationToken = default) =>
        RunAsync(sourceDirectory, podEnvironment, new MoverRunOptions { Timeout = timeout, Direct = direct }, cancellationToken);

    /// <summary>Runs the entry point to completion with <paramref name="options"/>.</summary>
    public static async Task<MoverResult> RunAsync(
        string dataDirectory,
        IReadOnlyDictionary<string, string> podEnvironment,
        MoverRunOptions options,
        CancellationToken cancellationToken = default)
    {
        var sandboxed = SandboxAvailable && !options.Direct && !options.AsRoot;
        var scratch = Directory.CreateTempSubdirectory("datamover-mover-run-").FullName;
        try
        {
            var configDirectory = Directory.CreateDirectory(Path.Combine(scratch, "config")).FullName;
            var terminationFile = Path.Combine(scratch, "termination-log");
            // The kubelet creates the file before the container starts; the mover only writes it.
            await File.WriteAllTextAsync(terminationFile, "", cancellationToken);
            var startInfo = sandboxed
                ? SandboxedStartInfo(dataDirectory, configDirectory, terminationFile, options)
                : DirectStartInfo();
            startInfo.Environment.Clear();
            startInfo.Environment["PATH"] = ContainerPath;
            startInfo.Environment["HOME"] = sandboxed ? "/config" : configDirectory;
            if (!sandboxed)
            {
                startInfo.Environment["MOVER_SOURCE_DIR"] = dataDirectory;
                startInfo.Environment["TERMINATION_MESSAGE_PATH"] = terminationFile;
            }

            foreach (var (name, value) in podEnvironment)
            {
                startInfo.Environment[name] = value;
            }

            var (exitCode, stdout, stderr, duration) = await RunProcessAsync(startInfo, options.Timeout ?? DefaultTimeout, cancellationToken);
            var termination = await File.ReadAllTextAsync(terminationFile, cancellationToken);
            return new MoverResult(exitCode, stdout, stderr, termination, duration);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static ProcessStartInfo SandboxedStartInfo(string dataDirectory, string configDirectory, string terminationFile, MoverRunOptions options)
    {
        var startInfo = BwrapStartInfo();
        var arguments = new List<string>
        {
            options.WritableData ? "--bind" : "--ro-bind", dataDirectory, "/data",
            "--bind", configDirectory, "/config",
            "--bind", terminationFile, "/dev/termination-log",
            "--ro-bind", RepoPaths.MoverEntrypoint, "/entrypoint.sh",
        };
        foreach (var (host, container) in options.Binds)
        {
            arguments.AddRange(["--bind", host, container]);
        }

        arguments.AddRange(["--remount-ro", "/", "/entrypoint.sh"]);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        return startInfo;
    }

    // The script itself is executed, not "bash script": its "#!/bin/bash -p" line is part of its defence.
    private static ProcessStartInfo DirectStartInfo() =>
        new(RepoPaths.MoverEntrypoint) { RedirectStandardOutput = true, RedirectStandardError = true };

    /// <summary>
    /// A minimal container-like root: host /usr and /etc read-only (Debian's merged /usr makes
    /// that the whole userland), fresh /dev and /proc, own namespaces except the network.
    /// </summary>
    private static ProcessStartInfo BwrapStartInfo()
    {
        var startInfo = new ProcessStartInfo("bwrap") { RedirectStandardOutput = true, RedirectStandardError = true };
        var arguments = new List<string> { "--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc" };
        foreach (var top in new[] { "bin", "sbin", "lib", "lib64" })
        {
            var info = new DirectoryInfo("/" + top);
            if (info.LinkTarget is { } target)
            {
                arguments.AddRange(["--symlink", target, "/" + top]);
            }
            else if (info.Exists)
            {
                arguments.AddRange(["--ro-bind", "/" + top, "/" + top]);
            }
        }

        arguments.AddRange([
            "--dev", "/dev",
            "--proc", "/proc",
            "--unshare-all", "--share-net",
            "--uid", "65534", "--gid", "65534",
        ]);
        // No --die-with-parent: its parent-death signal is tied to the forking *thread*, and .NET
        // starts processes from pool threads that may exit mid-run, killing the mover (exit 137).
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        return startInfo;
    }

    private static bool ProbeSandbox()
    {
        try
        {
            var startInfo = BwrapStartInfo();
            startInfo.ArgumentList.Add("--remount-ro");
            startInfo.ArgumentList.Add("/");
            startInfo.ArgumentList.Add("/usr/bin/true");
            var (exitCode, _, _, _) = RunProcessAsync(startInfo, TimeSpan.FromSeconds(10), CancellationToken.None)
                .GetAwaiter().GetResult();
            return exitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // bwrap is not installed.
            return false;
        }
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr, TimeSpan Duration)> RunProcessAsync(
        ProcessStartInfo startInfo, TimeSpan timeout, CancellationToken cancellationToken)
    {
        startInfo.UseShellExecute = false;
        using var process = new Process { StartInfo = startInfo };
        var stopwatch = Stopwatch.StartNew();
        process.Start();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(timeoutSource.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw new TimeoutException(
                $"{startInfo.FileName} did not finish within {timeout.TotalSeconds:0}s:\n{await stdout}\n{await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr, stopwatch.Elapsed);
    }
}
