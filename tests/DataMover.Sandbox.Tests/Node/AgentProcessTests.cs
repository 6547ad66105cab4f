using System.Diagnostics;
using DataMover.Kube.Client;
using DataMover.Kube.Config;
using DataMover.Kube.Models;
using DataMover.Sandbox.ControlPlane;
using DataMover.Sandbox.Hosting;
using DataMover.Sandbox.Tests.ControlPlane;

namespace DataMover.Sandbox.Tests.Node;

/// <summary>
/// Proof that the node side needs nothing but the API: a server started without a node, and the agent as a
/// separate process that only has a kubeconfig.
/// </summary>
public sealed class AgentProcessTests
{
    [Fact]
    public async Task SeparateAgentProcessRunsPodsAndProvisionsClones()
    {
        var options = new SandboxOptions { NoNode = true };
        options.Components.Add(ctx => new ControlPlaneComponent(ctx, new ControlPlaneOptions()));
        await using var cluster = await SandboxCluster.StartAsync(options);
        using var client = new KubeClient(KubeConfigLoader.Load(cluster.KubeconfigPath));
        Assert.Empty((await client.Resource(KubeResources.Nodes).ListAsync(null)).Items);

        var dataDir = Path.Combine(cluster.DataDir, "agent");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { SandboxDll(), "agent", "--kubeconfig", cluster.KubeconfigPath, "--data-dir", dataDir, "--node-name", "agent-node" })
        {
            psi.ArgumentList.Add(a);
        }

        using var agent = Process.Start(psi)!;
        var stderr = agent.StandardError.ReadToEndAsync();
        try
        {
            var ready = await agent.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(ready == "agent ready: agent-node", $"agent said '{ready}'; stderr: {(agent.HasExited ? await stderr : "")}");

            var claims = client.Resource(KubeResources.PersistentVolumeClaims);
            await claims.CreateAsync(PodIsolationTests.Claim("default", "agent-src", "standard"));
            var pod = ClusterFixture.ShellPod("default", "agent-pod", "echo from-agent > /data/hello");
            pod = pod with
            {
                Spec = pod.Spec! with
                {
                    Volumes = [new Volume { Name = "data", PersistentVolumeClaim = new PersistentVolumeClaimVolumeSource { ClaimName = "agent-src" } }],
                    Containers = [pod.Spec.Containers[0] with { VolumeMounts = [new VolumeMount { Name = "data", MountPath = "/data" }] }],
                },
            };
            await client.Resource(KubeResources.Pods).CreateAsync(pod);
            var done = await ClusterFixture.EventuallyAsync(async () =>
            {
                var p = await client.Resource(KubeResources.Pods).TryGetAsync("default", "agent-pod");
                return p?.Status?.Phase == "Succeeded" ? p : null;
            }, TimeSpan.FromSeconds(40), "pod succeeded on the agent");
            Assert.Equal("agent-node", done.Spec!.NodeName);

            await claims.CreateAsync(PodIsolationTests.Claim("default", "agent-copy", "standard", source: new TypedLocalObjectReference { Kind = "PersistentVolumeClaim", Name = "agent-src" }));
            var copy = await ClusterFixture.EventuallyAsync(async () =>
            {
                var c = await claims.TryGetAsync("default", "agent-copy");
                return c?.Status?.Phase == "Bound" ? c : null;
            }, TimeSpan.FromSeconds(30), "clone bound");
            var pv = await client.Resource(KubeResources.PersistentVolumes).GetAsync(null, copy.Spec!.VolumeName!);
            Assert.StartsWith(dataDir, pv.Spec!.HostPath!.Path, StringComparison.Ordinal);
            Assert.Equal("from-agent\n", await File.ReadAllTextAsync(Path.Combine(pv.Spec.HostPath.Path, "hello")));
        }
        finally
        {
            if (!agent.HasExited)
            {
                // SIGTERM, as a service manager would send; the agent kills its containers and exits.
                using var kill = Process.Start("kill", ["-TERM", agent.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                await kill.WaitForExitAsync();
                if (!agent.WaitForExit(15000))
                {
                    agent.Kill(entireProcessTree: true);
                }
            }
        }
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
