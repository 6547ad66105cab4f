using DataMover.Kube.Client;
using DataMover.Kube.Config;
using DataMover.Kube.Models;
using DataMover.Sandbox.ApiServer.Crd;
using DataMover.Sandbox.ControlPlane;
using DataMover.Sandbox.Hosting;
using DataMover.Sandbox.Tests.ControlPlane;

namespace DataMover.Sandbox.Tests.Node;

/// <summary>
/// Proof that the node side needs nothing but the API: a server started without a node, and the agent as a
/// separate process that only has a kubeconfig. The control plane's node lifecycle controller taints the new Node
/// between its creation and the agent's first status write, as on a real cluster, so every test here also proves
/// the agent survives that conflict.
/// </summary>
public sealed class AgentProcessTests
{
    [Fact]
    public async Task SeparateAgentProcessRunsPodsAndProvisionsClones()
    {
        await using var cluster = await StartControlPlaneAsync(installSnapshotCrds: true);
        using var client = new KubeClient(KubeConfigLoader.Load(cluster.KubeconfigPath));
        Assert.Empty((await client.Resource(KubeResources.Nodes).ListAsync(null)).Items);

        await using var agent = await AgentProcess.StartAsync(cluster, "agent-node");
        var node = await ClusterFixture.EventuallyAsync(async () =>
        {
            var n = await client.Resource(KubeResources.Nodes).GetAsync(null, "agent-node");
            return Taint.Of(n).Count == 0 && n.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true ? n : null;
        }, TimeSpan.FromSeconds(30), "node Ready without the not-ready taint");
        Assert.Equal("sandbox://agent-node", node.Spec!.ProviderId);

        var claims = client.Resource(KubeResources.PersistentVolumeClaims);
        await claims.CreateAsync(PodIsolationTests.Claim("default", "agent-src", "standard"));
        await client.Resource(KubeResources.Pods).CreateAsync(WithClaim(ClusterFixture.ShellPod("default", "agent-pod", "echo from-agent > /data/hello"), "agent-src"));
        var done = await WaitPodAsync(client, "default", "agent-pod");
        Assert.Equal("agent-node", done.Spec!.NodeName);

        await claims.CreateAsync(PodIsolationTests.Claim("default", "agent-copy", "standard", source: new TypedLocalObjectReference { Kind = "PersistentVolumeClaim", Name = "agent-src" }));
        var copy = await WaitBoundAsync(claims, "default", "agent-copy");
        var pv = await client.Resource(KubeResources.PersistentVolumes).GetAsync(null, copy.Spec!.VolumeName!);
        Assert.StartsWith(agent.DataDir, pv.Spec!.HostPath!.Path, StringComparison.Ordinal);
        Assert.Equal("from-agent\n", await File.ReadAllTextAsync(Path.Combine(pv.Spec.HostPath.Path, "hello")));
        Assert.False(agent.HasExited);
        Assert.DoesNotContain("Unhandled exception", await agent.StopAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AgentWithoutSnapshotCrdsBecomesReadyProvisionsAndStartsSnapshotsOnceTheCrdsAppear()
    {
        await using var cluster = await StartControlPlaneAsync(installSnapshotCrds: false);
        using var client = new KubeClient(KubeConfigLoader.Load(cluster.KubeconfigPath));
        await using var agent = await AgentProcess.StartAsync(cluster, "plain-node");

        var claims = client.Resource(KubeResources.PersistentVolumeClaims);
        await claims.CreateAsync(PodIsolationTests.Claim("default", "data", "standard"));
        var bound = await WaitBoundAsync(claims, "default", "data");

        // The snapshotter's CRDs installed later, as an administrator would: snapshots start working without a restart.
        using (var http = cluster.CreateHttpClient())
        {
            foreach (var crd in SnapshotCrds.Create())
            {
                using var body = new StringContent(crd.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
                (await http.PostAsync("apis/apiextensions.k8s.io/v1/customresourcedefinitions", body)).EnsureSuccessStatusCode();
            }
        }

        var snapshots = client.Resource(KubeResources.VolumeSnapshots);
        await snapshots.CreateAsync(new VolumeSnapshot
        {
            Metadata = new ObjectMeta { Name = "snap", Namespace = "default" },
            Spec = new VolumeSnapshotSpec { Source = new VolumeSnapshotSource { PersistentVolumeClaimName = bound.Metadata.Name } },
        });
        await ClusterFixture.EventuallyAsync(async () => (await snapshots.GetAsync("default", "snap")).Status?.ReadyToUse == true, TimeSpan.FromSeconds(30), "snapshot ready");

        var log = await agent.StopAsync();
        Assert.Equal(1, CountOf(log, "VolumeSnapshots are unavailable"));
    }

    [Fact]
    public async Task AgentProvisionsWaitForFirstConsumerCloneOnTheNodeTheSchedulerSelected()
    {
        await using var cluster = await StartControlPlaneAsync(installSnapshotCrds: true);
        using var client = new KubeClient(KubeConfigLoader.Load(cluster.KubeconfigPath));
        await using var agent = await AgentProcess.StartAsync(cluster, "wffc-node");
        var claims = client.Resource(KubeResources.PersistentVolumeClaims);
        var pods = client.Resource(KubeResources.Pods);

        await claims.CreateAsync(PodIsolationTests.Claim("default", "src", "wffc"));
        await pods.CreateAsync(WithClaim(ClusterFixture.ShellPod("default", "writer", "echo original > /data/f"), "src"));
        await WaitPodAsync(client, "default", "writer");

        await claims.CreateAsync(PodIsolationTests.Claim("default", "copy", "wffc", source: new TypedLocalObjectReference { Kind = "PersistentVolumeClaim", Name = "src" }));
        await ClusterFixture.EventuallyAsync(async () =>
            (await client.Resource(KubeResources.Events).ListAsync("default")).Items.Any(e => e.InvolvedObject?.Name == "copy" && e.Reason == "WaitForFirstConsumer"), what: "WaitForFirstConsumer event");
        var pending = await claims.GetAsync("default", "copy");
        Assert.Equal("Pending", pending.Status?.Phase);
        Assert.Null(pending.Metadata.Annotation(WellKnown.SelectedNode));

        await pods.CreateAsync(WithClaim(ClusterFixture.ShellPod("default", "reader", "cat /data/f"), "copy"));
        var reader = await WaitPodAsync(client, "default", "reader");
        Assert.Equal("wffc-node", reader.Spec!.NodeName);
        var copy = await claims.GetAsync("default", "copy");
        Assert.Equal("wffc-node", copy.Metadata.Annotation(WellKnown.SelectedNode));
        var pv = await client.Resource(KubeResources.PersistentVolumes).GetAsync(null, copy.Spec!.VolumeName!);
        Assert.StartsWith(agent.DataDir, pv.Spec!.HostPath!.Path, StringComparison.Ordinal);
        Assert.Equal("original\n", await File.ReadAllTextAsync(Path.Combine(pv.Spec.HostPath.Path, "f")));
        Assert.Contains("wffc-node", pv.Spec.Extra!["nodeAffinity"].GetRawText(), StringComparison.Ordinal);
    }

    private static async Task<SandboxCluster> StartControlPlaneAsync(bool installSnapshotCrds)
    {
        var options = new SandboxOptions { NoNode = true, InstallSnapshotCrds = installSnapshotCrds };
        options.Components.Add(ctx => new ControlPlaneComponent(ctx, new ControlPlaneOptions()));
        return await SandboxCluster.StartAsync(options);
    }

    private static Pod WithClaim(Pod pod, string claim) => pod with
    {
        Spec = pod.Spec! with
        {
            Volumes = [new Volume { Name = "data", PersistentVolumeClaim = new PersistentVolumeClaimVolumeSource { ClaimName = claim } }],
            Containers = [pod.Spec.Containers[0] with { VolumeMounts = [new VolumeMount { Name = "data", MountPath = "/data" }] }],
        },
    };

    private static Task<Pod> WaitPodAsync(KubeClient client, string ns, string name) =>
        ClusterFixture.EventuallyAsync(async () =>
        {
            var p = await client.Resource(KubeResources.Pods).TryGetAsync(ns, name);
            return p?.Status?.Phase == "Succeeded" ? p : null;
        }, TimeSpan.FromSeconds(40), $"pod {name} succeeded on the agent");

    private static Task<PersistentVolumeClaim> WaitBoundAsync(ResourceClient<PersistentVolumeClaim> claims, string ns, string name) =>
        ClusterFixture.EventuallyAsync(async () =>
        {
            var c = await claims.TryGetAsync(ns, name);
            return c?.Status?.Phase == "Bound" ? c : null;
        }, TimeSpan.FromSeconds(30), $"claim {name} bound");

    private static int CountOf(string text, string what) =>
        (text.Length - text.Replace(what, "", StringComparison.Ordinal).Length) / what.Length;
}
