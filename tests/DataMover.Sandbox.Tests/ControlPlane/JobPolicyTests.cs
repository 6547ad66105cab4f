using System.Collections.Concurrent;
using DataMover.Kube.Client;
using DataMover.Kube.Models;

namespace DataMover.Sandbox.Tests.ControlPlane;

/// <summary>The job controller against a stand-in kubelet: expectations, podFailurePolicy, activeDeadlineSeconds.</summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class JobPolicyTests
{
    private readonly ControlPlaneFixture _fx;

    public JobPolicyTests(ControlPlaneFixture fx) => _fx = fx;

    private ResourceClient<Job> Jobs => _fx.Client.Resource(KubeResources.Jobs);

    private ResourceClient<Pod> Pods => _fx.Client.Resource(KubeResources.Pods);

    [Fact]
    public async Task ManyJobsCreatedAtOnceEachRunExactlyOnePod()
    {
        const int count = 100;
        var ns = await _fx.NewNamespaceAsync("job-many");
        var created = new ConcurrentDictionary<string, ConcurrentDictionary<string, byte>>();
        using var stop = new CancellationTokenSource();
        var start = (await Pods.ListAsync(ns)).Metadata.ResourceVersion;

        // Every pod the controller creates is seen here, bound, and succeeds at once: quick completions are what
        // exposed a controller acting on a cache that had not yet seen its own writes.
        var kubelet = Task.Run(async () =>
        {
            var finishing = new List<Task>();
            try
            {
                await foreach (var e in Pods.WatchAsync(ns, new WatchOptions { ResourceVersion = start, TimeoutSeconds = 600 }, stop.Token))
                {
                    if (e.Type == WatchEventType.Added)
                    {
                        var pod = e.Object;
                        created.GetOrAdd(pod.Metadata.Label("job-name") ?? "", _ => new()).TryAdd(pod.Metadata.Name!, 0);
                        finishing.Add(CompleteAsync(ns, pod.Metadata.Name!));
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // The test is done.
            }

            await Task.WhenAll(finishing);
        });

        var names = Enumerable.Range(0, count).Select(i => $"burst-{i}").ToList();
        await Task.WhenAll(names.Select(n => Jobs.CreateAsync(JobControllerTests.NewJob(ns, n, "true", backoffLimit: 0))));
        await ClusterFixture.EventuallyAsync(async () =>
            (await Jobs.ListAsync(ns)).Items.Count(j => j.Status?.Conditions?.Any(c => c.Type == "Complete" && c.Status == "True") == true) == count,
            TimeSpan.FromSeconds(120), "all jobs complete");
        await stop.CancelAsync();
        await kubelet;

        Assert.All(names, n => Assert.True(created.TryGetValue(n, out var pods) && pods.Count == 1,
            $"job {n} created {(created.TryGetValue(n, out var p) ? string.Join(", ", p.Keys) : "no pod")}"));
        Assert.All((await Jobs.ListAsync(ns)).Items, j => Assert.Equal(1, j.Status!.Succeeded));
    }

    [Fact]
    public async Task FailJobRuleFailsTheJobAtOnceWithThePolicyMessage()
    {
        var ns = await _fx.NewNamespaceAsync("pfp-fail");
        await Jobs.CreateAsync(WithPolicy(ns, "mover", backoffLimit: 6, new PodFailurePolicyRule
        {
            Action = "FailJob",
            OnExitCodes = new PodFailurePolicyOnExitCodesRequirement { ContainerName = "main", Operator = "In", Values = [3] },
        }));
        var pod = await SinglePodAsync(ns, "mover");
        await _fx.Kubelet.BindAsync(ns, pod);
        await _fx.Kubelet.FinishAsync(ns, pod, exitCode: 3);

        var job = await WaitForConditionAsync(ns, "mover", "Failed");
        var expected = $"Container main for pod {ns}/{pod} failed with exit code 3 matching FailJob rule at index 0";
        Assert.Equal(["FailureTarget", "Failed"], job.Status!.Conditions!.Select(c => c.Type));
        Assert.All(job.Status.Conditions!, c => Assert.Equal(("PodFailurePolicy", expected), (c.Reason, c.Message)));
        Assert.Equal(1, job.Status.Failed);
        Assert.Single((await Pods.ListAsync(ns)).Items);
    }

    [Fact]
    public async Task IgnoredFailuresDoNotCountTowardTheBackoffLimit()
    {
        var ns = await _fx.NewNamespaceAsync("pfp-ignore");
        await Jobs.CreateAsync(WithPolicy(ns, "mover", backoffLimit: 0, new PodFailurePolicyRule
        {
            Action = "Ignore",
            OnPodConditions = [new PodFailurePolicyOnPodConditionsPattern { Type = "DisruptionTarget", Status = "True" }],
        }));
        var first = await SinglePodAsync(ns, "mover");
        await _fx.Kubelet.BindAsync(ns, first);
        await _fx.Kubelet.FinishAsync(ns, first, exitCode: 137, conditions: [new System.Text.Json.Nodes.JsonObject
        {
            ["type"] = "DisruptionTarget", ["status"] = "True", ["reason"] = "TerminationByKubelet", ["lastTransitionTime"] = "2025-01-01T00:00:00Z",
        }]);

        // Not counted: the job replaces the pod instead of failing with backoffLimit 0.
        var second = await ClusterFixture.EventuallyAsync(async () =>
            (await Pods.ListAsync(ns)).Items.Select(p => p.Metadata.Name).FirstOrDefault(n => n != first), what: "replacement pod");
        var job = await Jobs.GetAsync(ns, "mover");
        Assert.Equal(0, job.Status!.Failed ?? 0);
        Assert.DoesNotContain(job.Status.Conditions ?? [], c => c.Type is "FailureTarget" or "Failed");

        // An ordinary failure (no rule matches: Count by default) still counts.
        await _fx.Kubelet.BindAsync(ns, second!);
        await _fx.Kubelet.FinishAsync(ns, second!, exitCode: 1);
        job = await WaitForConditionAsync(ns, "mover", "Failed");
        Assert.Equal("BackoffLimitExceeded", job.Status!.Conditions!.Single(c => c.Type == "Failed").Reason);
        Assert.Equal(1, job.Status.Failed);
    }

    [Fact]
    public async Task ActiveDeadlineTerminatesActivePodsThenFails()
    {
        var ns = await _fx.NewNamespaceAsync("job-deadline");
        var job = JobControllerTests.NewJob(ns, "slow", "sleep 60", backoffLimit: 6);
        // Long enough for the test to see and bind the pod on a loaded machine: with 1 s the job controller could
        // delete the still-unbound pod before the test listed it.
        await Jobs.CreateAsync(job with { Spec = job.Spec! with { ActiveDeadlineSeconds = 5 } });
        var pod = await SinglePodAsync(ns, "slow");
        await _fx.Kubelet.BindAsync(ns, pod);

        // The bound pod is deleted gracefully; the job waits for it in FailureTarget.
        var target = await WaitForConditionAsync(ns, "slow", "FailureTarget");
        Assert.Equal(("DeadlineExceeded", "Job was active longer than specified deadline"),
            (target.Status!.Conditions![0].Reason, target.Status.Conditions[0].Message));
        await ClusterFixture.EventuallyAsync(async () => (await Pods.GetAsync(ns, pod)).Metadata.DeletionTimestamp is not null, what: "pod terminating");
        Assert.DoesNotContain(target.Status.Conditions, c => c.Type == "Failed");

        await _fx.Kubelet.FinishAsync(ns, pod, exitCode: 143);
        await _fx.Kubelet.ForceDeleteAsync(ns, pod);
        var failed = await WaitForConditionAsync(ns, "slow", "Failed");
        Assert.Equal("DeadlineExceeded", failed.Status!.Conditions!.Single(c => c.Type == "Failed").Reason);
        Assert.Equal(0, failed.Status.Active);
    }

    private static Job WithPolicy(string ns, string name, int backoffLimit, params PodFailurePolicyRule[] rules)
    {
        var job = JobControllerTests.NewJob(ns, name, "true", backoffLimit);
        return job with { Spec = job.Spec! with { PodFailurePolicy = new PodFailurePolicy { Rules = rules } } };
    }

    private async Task<string> SinglePodAsync(string ns, string job) =>
        await ClusterFixture.EventuallyAsync(async () =>
            (await Pods.ListAsync(ns, new ListOptions { LabelSelector = "batch.kubernetes.io/job-name=" + job })).Items.SingleOrDefault()?.Metadata.Name,
            what: "job pod");

    private async Task CompleteAsync(string ns, string pod)
    {
        try
        {
            await _fx.Kubelet.BindAsync(ns, pod);
            await _fx.Kubelet.FinishAsync(ns, pod, exitCode: 0);
        }
        catch (KubeApiException e) when (e.IsNotFound || e.IsConflict)
        {
            // A surplus pod the controller deleted again: the assertion on created pods reports it.
        }
    }

    private async Task<Job> WaitForConditionAsync(string ns, string name, string type) =>
        await ClusterFixture.EventuallyAsync(async () =>
        {
            var j = await Jobs.TryGetAsync(ns, name);
            return j?.Status?.Conditions?.Any(c => c.Type == type && c.Status == "True") == true ? j : null;
        }, TimeSpan.FromSeconds(30), $"job {name} {type}");
}
