using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace DataMover.Sandbox.Node;

/// <summary>
/// One running container: a bwrap process whose output goes to the container's log file. Knows the host pid of
/// the container's pid 1 (from bwrap's --info-fd) so it can be signalled like a container runtime would.
/// </summary>
internal sealed class ContainerProcess : IDisposable
{
    private readonly Process _process;
    private readonly string _infoPath;

    private ContainerProcess(Process process, string infoPath, string id)
    {
        _process = process;
        _infoPath = infoPath;
        Id = id;
        Exited = WaitAsync();
    }

    public string Id { get; }

    /// <summary>Completes with the exit code (128+signal when killed); 127 style setup failures are bwrap's own.</summary>
    public Task<int> Exited { get; }

    /// <summary>False when bwrap never started the command (setup failed): the container never ran.</summary>
    public bool Started => ChildPid() is not null;

    /// <summary>Starts <paramref name="command"/> (setpriv/bwrap and arguments, bwrap told to report on --info-fd 3).</summary>
    public static ContainerProcess Start(IReadOnlyList<string> command, IReadOnlyList<KeyValuePair<string, string>> environment, string logPath, string stateDir)
    {
        var id = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        var infoPath = Path.Combine(stateDir, "bwrap-info-" + id[..12] + ".json");
        // A tiny shell opens the info file on fd 3 and sends both output streams to the log, in order.
        var psi = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
        };
        // Exactly the container's environment, none of the host's; a later duplicate wins, as in the pod spec.
        psi.Environment.Clear();
        foreach (var (name, value) in environment)
        {
            psi.Environment[name] = value;
        }

        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec 3>\"$1\"; log=\"$2\"; shift 2; exec \"$@\" </dev/null >>\"$log\" 2>&1");
        psi.ArgumentList.Add("sh");
        psi.ArgumentList.Add(infoPath);
        psi.ArgumentList.Add(logPath);
        foreach (var a in command)
        {
            psi.ArgumentList.Add(a);
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start bwrap");
        return new ContainerProcess(process, infoPath, id);
    }

    /// <summary>Sends a signal to the container's pid 1 (SIGTERM on stop), as the runtime does.</summary>
    public void Signal(string signal)
    {
        if (ChildPid() is { } pid)
        {
            using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + signal, pid.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false });
            kill?.WaitForExit();
        }
    }

    /// <summary>Kills the container at once: its pid 1 first, then bwrap and everything under it.</summary>
    public void Kill()
    {
        Signal("KILL");
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    public void Dispose()
    {
        _process.Dispose();
        try
        {
            File.Delete(_infoPath);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    private int? ChildPid()
    {
        try
        {
            var text = File.ReadAllText(_infoPath);
            if (text.Length == 0)
            {
                return null;
            }

            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.TryGetProperty("child-pid", out var pid) ? pid.GetInt32() : null;
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private async Task<int> WaitAsync()
    {
        await _process.WaitForExitAsync();
        return _process.ExitCode;
    }
}
