using System.Text;
using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Sandbox.Tests.ControlPlane;

namespace DataMover.Sandbox.Tests.Node;

[Collection(ClusterCollection.Name)]
public sealed class KubeletTests
{
    private readonly ClusterFixture _fx;

    public KubeletTests(ClusterFixture fx) => _fx = fx;

    private ResourceClient<Pod> Pods => _fx.Client.Resource(KubeResources.Pods);

    [Fact]
    public async Task MissingSecretIsACreateContainerConfigErrorUntilTheSecretAppears()
    {
        var ns = await _fx.NewNamespaceAsync("secret");
        var pod = ClusterFixture.ShellPod(ns, "needs", "echo $TOKEN");
        pod = pod with
        {
            Spec = pod.Spec! with
            {
                Containers = [pod.Spec.Containers[0] with { Env = [new EnvVar { Name = "TOKEN", ValueFrom = new EnvVarSource { SecretKeyRef = new KeySelector { Name = "later", Key = "token" } } }] }],
            },
        };
        await Pods.CreateAsync(pod);
        var waiting = await ClusterFixture.EventuallyAsync(async () =>
        {
            var p = await Pods.TryGetAsync(ns, "needs");
            return p?.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Waiting?.Reason == "CreateContainerConfigError" ? p : null;
        }, what: "CreateContainerConfigError");
        Assert.Equal("Pending", waiting.Status!.Phase);
        Assert.Equal("secret \"later\" not found", waiting.Status.ContainerStatuses![0].State!.Waiting!.Message);
        var failed = await ClusterFixture.EventuallyAsync(async () => (await _fx.EventsForAsync(ns, "needs")).FirstOrDefault(e => e.Reason == "Failed"), what: "Failed event");
        Assert.Equal("Warning", failed.Type);
        Assert.Equal("Error: secret \"later\" not found", failed.Message);

        await _fx.Client.Resource(KubeResources.Secrets).CreateAsync(new Secret
        {
            Metadata = new ObjectMeta { Name = "later", Namespace = ns },
            Data = new Dictionary<string, string> { ["token"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("t0k3n")) },
        });
        await _fx.WaitForPhaseAsync(ns, "needs", "Succeeded");
        Assert.Equal("t0k3n\n", await _fx.LogsAsync(ns, "needs"));
        var events = await _fx.EventsForAsync(ns, "needs");
        Assert.Contains(events, e => e.Reason == "Scheduled" && e.Message == $"Successfully assigned {ns}/needs to sandbox-node");
        Assert.Contains(events, e => e.Reason == "Pulled" && e.Message == "Container image \"busybox:1.36\" already present on machine");
        Assert.Contains(events, e => e.Reason == "Started");
    }

    [Fact]
    public async Task TerminationMessageComesFromTheFileOrFallsBackToTheLog()
    {
        var ns = await _fx.NewNamespaceAsync("term");
        await Pods.CreateAsync(ClusterFixture.ShellPod(ns, "file", "echo 'all good' > /dev/termination-log"));
        var fallback = ClusterFixture.ShellPod(ns, "fallback", "for i in $(seq 1 100); do echo line $i; done; exit 3");
        await Pods.CreateAsync(fallback with { Spec = fallback.Spec! with { Containers = [fallback.Spec.Containers[0] with { TerminationMessagePolicy = "FallbackToLogsOnError" }] } });

        var ok = await _fx.WaitForPhaseAsync(ns, "file", "Succeeded");
        var okState = ok.Status!.ContainerStatuses![0].State!.Terminated!;
        Assert.Equal(0, okState.ExitCode);
        Assert.Equal("Completed", okState.Reason);
        Assert.Equal("all good\n", okState.Message);
        Assert.Equal(["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"], ok.Status.Conditions!.Select(c => c.Type));

        var bad = await _fx.WaitForPhaseAsync(ns, "fallback", "Failed");
        var badState = bad.Status!.ContainerStatuses![0].State!.Terminated!;
        Assert.Equal(3, badState.ExitCode);
        Assert.Equal("Error", badState.Reason);
        var lines = badState.Message!.TrimEnd('\n').Split('\n');
        Assert.Equal(80, lines.Length);
        Assert.Equal("line 21", lines[0]);
        Assert.Equal("line 100", lines[^1]);
    }

    [Fact]
    public async Task NoopImagesFinishAtOnceForScaleTests()
    {
        var ns = await _fx.NewNamespaceAsync("noop");
        for (var i = 0; i < 20; i++)
        {
            var pod = ClusterFixture.ShellPod(ns, "n" + i, "");
            await Pods.CreateAsync(pod with { Spec = pod.Spec! with { Containers = [pod.Spec.Containers[0] with { Image = i % 2 == 0 ? "sandbox/noop-succeed" : "sandbox/noop-fail", Command = null }] } });
        }

        await ClusterFixture.EventuallyAsync(async () =>
        {
            var pods = (await Pods.ListAsync(ns)).Items;
            return pods.Count(p => p.Status?.Phase == "Succeeded") == 10 && pods.Count(p => p.Status?.Phase == "Failed") == 10;
        }, TimeSpan.FromSeconds(30), "20 noop pods finished");
    }

    [Fact]
    public async Task UnknownImageIsErrImagePull()
    {
        var ns = await _fx.NewNamespaceAsync("image");
        var pod = ClusterFixture.ShellPod(ns, "ghost", "true");
        await Pods.CreateAsync(pod with { Spec = pod.Spec! with { Containers = [pod.Spec.Containers[0] with { Image = "example.com/nothing:1" }] } });
        await ClusterFixture.EventuallyAsync(async () =>
            (await Pods.TryGetAsync(ns, "ghost"))?.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Waiting?.Reason is "ErrImagePull" or "ImagePullBackOff", what: "image pull error");
        Assert.Contains(await _fx.EventsForAsync(ns, "ghost"), e => e.Reason == "Failed" && e.Message == "Error: ErrImagePull");
    }

    [Fact]
    public async Task DeletingARunningPodSignalsItAndConfirmsTheDeletion()
    {
        var ns = await _fx.NewNamespaceAsync("kill");
        await Pods.CreateAsync(ClusterFixture.ShellPod(ns, "sleeper", "trap 'echo got TERM; exit 0' TERM; echo started; while true; do sleep 0.1; done"));
        await _fx.WaitForPhaseAsync(ns, "sleeper", "Running");
        await ClusterFixture.EventuallyAsync(async () => (await _fx.LogsAsync(ns, "sleeper")).Contains("started", StringComparison.Ordinal), what: "started");
        await Pods.DeleteAsync(ns, "sleeper");
        await ClusterFixture.EventuallyAsync(async () => await Pods.TryGetAsync(ns, "sleeper") is null, TimeSpan.FromSeconds(20), "pod gone");
        Assert.Contains(await _fx.EventsForAsync(ns, "sleeper"), e => e.Reason == "Killing" && e.Message == "Stopping container main");
    }
}
