using DataMover.Kube.Client;
using DataMover.Kube.Models;

namespace DataMover.Sandbox.Tests.ControlPlane;

[Collection(ClusterCollection.Name)]
public sealed class JobControllerTests
{
    private readonly ClusterFixture _fx;

    public JobControllerTests(ClusterFixture fx) => _fx = fx;

    private ResourceClient<Job> Jobs => _fx.Client.Resource(KubeResources.Jobs);

    [Fact]
    public async Task SucceedingJobCompletesAndIsDeletedAfterItsTtl()
    {
        var ns = await _fx.NewNamespaceAsync("job-ok");
        await Jobs.CreateAsync(NewJob(ns, "ok", "echo done", backoffLimit: 0) with { Spec = NewJob(ns, "ok", "echo done", 0).Spec! with { TtlSecondsAfterFinished = 2 } });
        var job = await WaitForConditionAsync(ns, "ok", "Complete");
        Assert.Equal(1, job.Status!.Succeeded);
        Assert.NotNull(job.Status.CompletionTime);
        Assert.Equal(["SuccessCriteriaMet", "Complete"], job.Status.Conditions!.Select(c => c.Type));
        Assert.All(job.Status.Conditions!, c => Assert.Equal("CompletionsReached", c.Reason));

        var pods = (await _fx.Client.Resource(KubeResources.Pods).ListAsync(ns, new ListOptions { LabelSelector = "batch.kubernetes.io/job-name=ok" })).Items;
        var pod = Assert.Single(pods);
        Assert.Matches("^ok-[a-z0-9]{5}$", pod.Metadata.Name);
        Assert.Equal(job.Metadata.Uid, pod.Metadata.Label("controller-uid"));
        Assert.Equal("ok", pod.Metadata.Label("job-name"));
        Assert.DoesNotContain("batch.kubernetes.io/job-tracking", pod.Metadata.Finalizers ?? []);
        var owner = Assert.Single(pod.Metadata.OwnerReferences!);
        Assert.True(owner.Controller == true && owner.BlockOwnerDeletion == true && owner.Kind == "Job");

        var events = await _fx.EventsForAsync(ns, "ok");
        Assert.Contains(events, e => e.Reason == "SuccessfulCreate" && e.Message == "Created pod: " + pod.Metadata.Name);
        Assert.Contains(events, e => e.Reason == "Completed" && e.Message == "Job completed");

        await ClusterFixture.EventuallyAsync(async () => await Jobs.TryGetAsync(ns, "ok") is null, TimeSpan.FromSeconds(20), "job deleted after TTL");
        await ClusterFixture.EventuallyAsync(async () => (await _fx.Client.Resource(KubeResources.Pods).ListAsync(ns)).Items.Count == 0, TimeSpan.FromSeconds(20), "pods collected");
    }

    [Fact]
    public async Task FailingJobRetriesUpToTheBackoffLimit()
    {
        var ns = await _fx.NewNamespaceAsync("job-fail");
        await Jobs.CreateAsync(NewJob(ns, "bad", "echo trying; exit 3", backoffLimit: 2));
        var job = await WaitForConditionAsync(ns, "bad", "Failed", TimeSpan.FromSeconds(60));
        Assert.Equal(3, job.Status!.Failed);
        Assert.Equal(0, job.Status.Active);
        Assert.Equal(["FailureTarget", "Failed"], job.Status.Conditions!.Select(c => c.Type));
        var failed = job.Status.Conditions!.Single(c => c.Type == "Failed");
        Assert.Equal("BackoffLimitExceeded", failed.Reason);
        Assert.Equal("Job has reached the specified backoff limit", failed.Message);
        Assert.Equal(3, (await _fx.Client.Resource(KubeResources.Pods).ListAsync(ns)).Items.Count);
        Assert.Contains(await _fx.EventsForAsync(ns, "bad"), e => e.Reason == "BackoffLimitExceeded" && e.Type == "Warning");
    }

    [Fact]
    public async Task RunningPodsCarryTheTrackingFinalizer()
    {
        var ns = await _fx.NewNamespaceAsync("job-track");
        var job = NewJob(ns, "long", "sleep 30", backoffLimit: 0);
        // sleep is pid 1 and ignores SIGTERM, as in a container: keep the grace period short.
        await Jobs.CreateAsync(job with { Spec = job.Spec! with { Template = job.Spec.Template with { Spec = job.Spec.Template.Spec! with { TerminationGracePeriodSeconds = 1 } } } });
        var pod = await ClusterFixture.EventuallyAsync(async () =>
            (await _fx.Client.Resource(KubeResources.Pods).ListAsync(ns)).Items.FirstOrDefault(), what: "job pod");
        Assert.Contains("batch.kubernetes.io/job-tracking", pod.Metadata.Finalizers ?? []);
        await Jobs.DeleteAsync(ns, "long", DeleteOptions.Foreground);
        await ClusterFixture.EventuallyAsync(async () => await Jobs.TryGetAsync(ns, "long") is null, TimeSpan.FromSeconds(30), "job gone");
        Assert.Empty((await _fx.Client.Resource(KubeResources.Pods).ListAsync(ns)).Items);
    }

    [Fact]
    public async Task ActiveDeadlineFailsTheJobAndDeletesItsPods()
    {
        var ns = await _fx.NewNamespaceAsync("job-deadline");
        var job = NewJob(ns, "slow", "sleep 60", backoffLimit: 6);
        await Jobs.CreateAsync(job with { Spec = job.Spec! with { ActiveDeadlineSeconds = 2 } });
        var done = await WaitForConditionAsync(ns, "slow", "Failed", TimeSpan.FromSeconds(45));
        Assert.Equal("DeadlineExceeded", done.Status!.Conditions!.Single(c => c.Type == "Failed").Reason);
        await ClusterFixture.EventuallyAsync(async () => (await _fx.Client.Resource(KubeResources.Pods).ListAsync(ns)).Items.Count == 0, TimeSpan.FromSeconds(20), "pods deleted");
    }

    private async Task<Job> WaitForConditionAsync(string ns, string name, string type, TimeSpan? timeout = null) =>
        await ClusterFixture.EventuallyAsync(async () =>
        {
            var j = await Jobs.TryGetAsync(ns, name);
            return j?.Status?.Conditions?.Any(c => c.Type == type && c.Status == "True") == true ? j : null;
        }, timeout ?? TimeSpan.FromSeconds(30), $"job {name} {type}");

    [Fact]
    public async Task PodsTheApiServerRefusesAreRecordedAsFailedCreate()
    {
        var ns = await _fx.NewNamespaceAsync("job-nosa");
        var job = NewJob(ns, "nosa", "true", backoffLimit: 0);
        await Jobs.CreateAsync(job with { Spec = job.Spec! with { Template = job.Spec.Template with { Spec = job.Spec.Template.Spec! with { ServiceAccountName = "ghost" } } } });
        var failed = await ClusterFixture.EventuallyAsync(async () => (await _fx.EventsForAsync(ns, "nosa")).FirstOrDefault(e => e.Reason == "FailedCreate"), what: "FailedCreate");
        Assert.Equal("Warning", failed.Type);
        Assert.Equal($"Error creating: pods \"nosa-\" is forbidden: error looking up service account {ns}/ghost: serviceaccount \"ghost\" not found", failed.Message);
    }

    internal static Job NewJob(string ns, string name, string script, int backoffLimit) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = ns },
        Spec = new JobSpec
        {
            BackoffLimit = backoffLimit,
            Template = new PodTemplateSpec
            {
                Spec = new PodSpec
                {
                    RestartPolicy = "Never",
                    Containers = [new Container { Name = "main", Image = "busybox", Command = ["/bin/sh", "-c", script] }],
                },
            },
        },
    };
}
