using System.Collections.Concurrent;
using System.Diagnostics;

namespace DataMover.Operator.Tests.Sandbox;

/// <summary>The built operator executable run as a child process (dotnet DataMover.Operator.dll), its output collected.</summary>
internal sealed class OperatorProcess : IDisposable
{
    private readonly Process _process;

    private OperatorProcess(Process process) => _process = process;

    /// <summary>Every line of stdout and stderr, in arrival order.</summary>
    public ConcurrentQueue<string> Output { get; } = new();

    /// <summary>The lines of stdout alone (the logs).</summary>
    public ConcurrentQueue<string> StandardOutput { get; } = new();

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static OperatorProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string> env)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add(OperatorDll());
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in env)
        {
            psi.Environment[name] = value;
        }

        var process = new Process { StartInfo = psi };
        var wrapper = new OperatorProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            Collect(wrapper.Output, e.Data);
            Collect(wrapper.StandardOutput, e.Data);
        };
        process.ErrorDataReceived += (_, e) => Collect(wrapper.Output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return wrapper;
    }

    /// <summary>Sends SIGTERM, as the kubelet does when it stops a pod.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public async Task WaitForExitAsync(TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        await _process.WaitForExitAsync(timeout.Token);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private static void Collect(ConcurrentQueue<string> lines, string? line)
    {
        if (line is not null)
        {
            lines.Enqueue(line);
        }
    }

    /// <summary>The operator built next to this test assembly's configuration (Debug or Release).</summary>
    private static string OperatorDll()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = dir.Parent!.Name;
        var framework = dir.Name;
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DataMover.sln")))
        {
            dir = dir.Parent;
        }

        var root = dir?.FullName ?? throw new InvalidOperationException("DataMover.sln not found above " + AppContext.BaseDirectory);
        var dll = Path.Combine(root, "src", "DataMover.Operator", "bin", configuration, framework, "DataMover.Operator.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("build src/DataMover.Operator first", dll);
    }
}
