using System.Diagnostics;
using DataMover.Sandbox.Hosting;

namespace DataMover.Sandbox.Tests.Node;

/// <summary>A <c>DataMover.Sandbox agent</c> process joined to a cluster through its kubeconfig; stopped with SIGTERM.</summary>
internal sealed class AgentProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stderr;

    private AgentProcess(Process process, string dataDir)
    {
        _process = process;
        DataDir = dataDir;
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public string DataDir { get; }

    public bool HasExited => _process.HasExited;

    public static async Task<AgentProcess> StartAsync(SandboxCluster cluster, string nodeName)
    {
        var dataDir = Path.Combine(cluster.DataDir, "agent-" + nodeName);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { SandboxDll(), "agent", "--kubeconfig", cluster.KubeconfigPath, "--data-dir", dataDir, "--node-name", nodeName })
        {
            psi.ArgumentList.Add(a);
        }

        var agent = new AgentProcess(Process.Start(psi)!, dataDir);
        var ready = await agent._process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (ready != "agent ready: " + nodeName)
        {
            var stderr = agent.HasExited ? await agent._stderr : "(still running)";
            await agent.DisposeAsync();
            Assert.Fail($"agent said '{ready}'; stderr: {stderr}");
        }

        return agent;
    }

    /// <summary>Stops the agent and returns everything it logged.</summary>
    public async Task<string> StopAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM, as a service manager would send; the agent kills its containers and exits.
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
            if (!_process.WaitForExit(15000))
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        return await _stderr;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    private static string SandboxDll()
    {
        var local = typeof(SandboxCluster).Assembly.Location;
        if (File.Exists(Path.ChangeExtension(local, ".runtimeconfig.json")))
        {
            return local;
        }

        var root = Sandbox.Node.ImageTable.FindRepoRoot(AppContext.BaseDirectory)!;
        var config = Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd('/')))!);
        return Path.Combine(root, "src", "DataMover.Sandbox", "bin", config, "net10.0", "DataMover.Sandbox.dll");
    }
}
