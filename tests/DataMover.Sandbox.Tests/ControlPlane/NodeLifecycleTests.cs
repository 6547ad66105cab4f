using System.Text.Json;
using DataMover.Kube.Client;
using DataMover.Kube.Config;
using DataMover.Kube.Models;
using DataMover.Sandbox.ControlPlane;
using DataMover.Sandbox.Hosting;
using KubeNode = DataMover.Kube.Models.Node;
using Toleration = DataMover.Sandbox.ControlPlane.Toleration;

namespace DataMover.Sandbox.Tests.ControlPlane;

/// <summary>
/// The node lifecycle controller's condition taints and the scheduler's taint/toleration filter, on a control plane
/// without a node agent: the tests play the kubelet by writing Node objects and statuses themselves.
/// </summary>
public sealed class NodeLifecycleTests : IAsyncLifetime
{
    private SandboxCluster? _cluster;
    private KubeClient? _client;

    private KubeClient Client => _client!;

    public async Task InitializeAsync()
    {
        var options = new SandboxOptions { NoNode = true };
        options.Components.Add(ctx => new ControlPlaneComponent(ctx, new ControlPlaneOptions()));
        _cluster = await SandboxCluster.StartAsync(options);
        _client = new KubeClient(KubeConfigLoader.Load(_cluster.KubeconfigPath));
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task NewNodeIsTaintedNotReadyAndPodsWaitUntilItReportsReady()
    {
        var nodes = Client.Resource(KubeResources.Nodes);
        await nodes.CreateAsync(new KubeNode { Metadata = new ObjectMeta { Name = "fresh", Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = "fresh" } } });
        await ClusterFixture.EventuallyAsync(async () => Taints(await nodes.GetAsync(null, "fresh")).Contains("node.kubernetes.io/not-ready:NoSchedule"), what: "not-ready taint on the new node");

        var pods = Client.Resource(KubeResources.Pods);
        await pods.CreateAsync(PodOn("fresh", "plain", tolerations: null));
        var failed = await ClusterFixture.EventuallyAsync(async () =>
            (await Client.Resource(KubeResources.Events).ListAsync("default")).Items.FirstOrDefault(e => e.InvolvedObject?.Name == "plain" && e.Reason == "FailedScheduling"), what: "FailedScheduling");
        Assert.Equal("0/1 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.", failed.Message);

        // An empty key with Exists tolerates every taint, as daemon set pods do.
        await pods.CreateAsync(PodOn("fresh", "tolerant", """[{"operator":"Exists"}]"""));
        await ClusterFixture.EventuallyAsync(async () => (await pods.GetAsync("default", "tolerant")).Spec?.NodeName == "fresh", what: "tolerant pod bound");
        Assert.True(string.IsNullOrEmpty((await pods.GetAsync("default", "plain")).Spec?.NodeName));

        await SetReadyAsync("fresh", "True");
        await ClusterFixture.EventuallyAsync(async () => Taints(await nodes.GetAsync(null, "fresh")).Count == 0, what: "taint removed once Ready");
        await ClusterFixture.EventuallyAsync(async () => (await pods.GetAsync("default", "plain")).Spec?.NodeName == "fresh", what: "plain pod bound once the node is Ready");
    }

    [Fact]
    public async Task ReadyFalseAndUnknownTaintNotReadyAndUnreachableAndEqualTolerationsMatchValues()
    {
        var nodes = Client.Resource(KubeResources.Nodes);
        await nodes.CreateAsync(new KubeNode { Metadata = new ObjectMeta { Name = "flaky", Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = "flaky" } } });
        await SetReadyAsync("flaky", "Unknown");
        await ClusterFixture.EventuallyAsync(async () => Taints(await nodes.GetAsync(null, "flaky")) is ["node.kubernetes.io/unreachable:NoSchedule"], what: "unreachable taint only");
        await SetReadyAsync("flaky", "False");
        await ClusterFixture.EventuallyAsync(async () => Taints(await nodes.GetAsync(null, "flaky")) is ["node.kubernetes.io/not-ready:NoSchedule"], what: "not-ready taint only");

        // A taint someone else owns stays; a toleration with the wrong value does not tolerate it.
        var node = await nodes.GetAsync(null, "flaky");
        var spec = node.Spec! with { };
        spec.Extra = new Dictionary<string, JsonElement>(spec.Extra ?? [])
        {
            ["taints"] = JsonDocument.Parse("""[{"key":"node.kubernetes.io/not-ready","effect":"NoSchedule"},{"key":"dedicated","value":"backup","effect":"NoSchedule"}]""").RootElement.Clone(),
        };
        await nodes.ReplaceAsync(node with { Spec = spec });
        await SetReadyAsync("flaky", "True");
        await ClusterFixture.EventuallyAsync(async () => Taints(await nodes.GetAsync(null, "flaky")) is ["dedicated:NoSchedule"], what: "only the foreign taint left");

        var pods = Client.Resource(KubeResources.Pods);
        await pods.CreateAsync(PodOn("flaky", "wrong-value", """[{"key":"dedicated","operator":"Equal","value":"web","effect":"NoSchedule"}]"""));
        await pods.CreateAsync(PodOn("flaky", "right-value", """[{"key":"dedicated","operator":"Equal","value":"backup"}]"""));
        await ClusterFixture.EventuallyAsync(async () => (await pods.GetAsync("default", "right-value")).Spec?.NodeName == "flaky", what: "matching toleration bound");
        var failed = await ClusterFixture.EventuallyAsync(async () =>
            (await Client.Resource(KubeResources.Events).ListAsync("default")).Items.FirstOrDefault(e => e.InvolvedObject?.Name == "wrong-value" && e.Reason == "FailedScheduling"), what: "FailedScheduling");
        Assert.Contains("node(s) had untolerated taint {dedicated: backup}", failed.Message, StringComparison.Ordinal);
        Assert.True(string.IsNullOrEmpty((await pods.GetAsync("default", "wrong-value")).Spec?.NodeName));
    }

    [Theory]
    [InlineData("", "Exists", "", "", "any", "x", "NoExecute", true)]
    [InlineData("k", "Exists", "", "NoSchedule", "k", "v", "NoSchedule", true)]
    [InlineData("k", "Exists", "", "NoSchedule", "k", "v", "NoExecute", false)]
    [InlineData("k", "", "v", "", "k", "v", "NoSchedule", true)]
    [InlineData("k", "Equal", "v", "", "k", "w", "NoSchedule", false)]
    [InlineData("k", "Equal", "v", "", "other", "v", "NoSchedule", false)]
    public void TolerationMatchingFollowsToleratesTaint(string key, string op, string value, string effect, string taintKey, string taintValue, string taintEffect, bool tolerated)
    {
        var toleration = new Toleration { Key = key, Operator = op, Value = value, Effect = effect };
        Assert.Equal(tolerated, toleration.Tolerates(new Taint { Key = taintKey, Value = taintValue, Effect = taintEffect }));
    }

    private async Task SetReadyAsync(string name, string status)
    {
        var nodes = Client.Resource(KubeResources.Nodes);
        while (true)
        {
            // The lifecycle controller writes a new Node (the not-ready taint) concurrently, as the kubelet also has
            // to expect: re-read and retry on a conflict.
            var node = await nodes.GetAsync(null, name);
            var now = DateTimeOffset.UtcNow;
            try
            {
                await nodes.ReplaceStatusAsync(node with
                {
                    Status = (node.Status ?? new NodeStatus()) with
                    {
                        Conditions = [new NodeCondition { Type = "Ready", Status = status, Reason = "Test", LastHeartbeatTime = now, LastTransitionTime = now }],
                    },
                });
                return;
            }
            catch (KubeApiException e) when (e.IsConflict)
            {
            }
        }
    }

    private static List<string> Taints(KubeNode node) => Taint.Of(node).Select(t => t.Key + ":" + t.Effect).ToList();

    private static Pod PodOn(string node, string name, string? tolerations)
    {
        var pod = ClusterFixture.ShellPod("default", name, "true");
        var spec = pod.Spec! with { NodeSelector = new Dictionary<string, string> { ["kubernetes.io/hostname"] = node } };
        if (tolerations is not null)
        {
            spec.Extra = new Dictionary<string, JsonElement> { ["tolerations"] = JsonDocument.Parse(tolerations).RootElement.Clone() };
        }

        return pod with { Spec = spec };
    }
}
