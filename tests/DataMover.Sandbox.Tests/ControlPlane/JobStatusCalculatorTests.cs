using DataMover.Kube.Models;
using DataMover.Sandbox.ControlPlane;

namespace DataMover.Sandbox.Tests.ControlPlane;

public sealed class JobStatusCalculatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void NewJobCreatesOnePodAndStarts()
    {
        var plan = JobStatusCalculator.Compute(Job(), [], 0, Now, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(6));
        Assert.Equal(1, plan.PodsToCreate);
        Assert.Equal(1, plan.Status.Active);
        Assert.Equal(Now, plan.Status.StartTime);
    }

    [Fact]
    public void FailedPodIsReplacedOnlyAfterTheBackoff()
    {
        var failed = Pod("Failed", Now.AddSeconds(-3));
        var plan = JobStatusCalculator.Compute(Job(), [failed], 0, Now, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(6));
        Assert.Equal(0, plan.PodsToCreate);
        Assert.Equal(TimeSpan.FromSeconds(7), plan.RequeueAfter);
        var later = JobStatusCalculator.Compute(Job(), [failed], 0, Now.AddSeconds(8), TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(6));
        Assert.Equal(1, later.PodsToCreate);
    }

    [Fact]
    public void ExceedingTheBackoffLimitGoesThroughFailureTargetToFailed()
    {
        var pods = new[] { Pod("Failed", Now.AddSeconds(-30)), Pod("Failed", Now.AddSeconds(-20)), Pod("Failed", Now.AddSeconds(-10)) };
        var plan = JobStatusCalculator.Compute(Job(backoffLimit: 2), pods, 0, Now, TimeSpan.Zero, TimeSpan.Zero);
        Assert.Equal(["FailureTarget", "Failed"], plan.Status.Conditions!.Select(c => c.Type));
        Assert.All(plan.Status.Conditions!, c => Assert.Equal("BackoffLimitExceeded", c.Reason));
        Assert.Equal(3, plan.Status.Failed);
        Assert.Null(plan.Status.CompletionTime);
    }

    [Fact]
    public void DeadlineKeepsFailedBackUntilRunningPodsAreGone()
    {
        var job = Job() with { Spec = Job().Spec! with { ActiveDeadlineSeconds = 5 }, Status = new JobStatus { StartTime = Now.AddSeconds(-6) } };
        var running = Pod("Running", null);
        var plan = JobStatusCalculator.Compute(job, [running], 0, Now, TimeSpan.Zero, TimeSpan.Zero);
        Assert.Equal(["FailureTarget"], plan.Status.Conditions!.Select(c => c.Type));
        Assert.Equal([running], plan.PodsToDelete);
        Assert.Equal("Job was active longer than specified deadline", plan.Status.Conditions![0].Message);
    }

    [Fact]
    public void SuccessSetsCompletionTime()
    {
        var plan = JobStatusCalculator.Compute(Job(), [Pod("Succeeded", Now)], 0, Now, TimeSpan.Zero, TimeSpan.Zero);
        Assert.Equal(["SuccessCriteriaMet", "Complete"], plan.Status.Conditions!.Select(c => c.Type));
        Assert.Equal(Now, plan.Status.CompletionTime);
        Assert.Contains(plan.Events, e => e.Reason == "Completed" && e.Message == "Job completed");
    }

    [Fact]
    public void CountedPodsStayCountedWhenTheyDisappear()
    {
        var job = Job() with { Status = new JobStatus { Failed = 2, StartTime = Now } };
        var counted = Pod("Failed", Now.AddSeconds(-30));
        var fresh = Pod("Failed", Now.AddSeconds(-20));
        var plan = JobStatusCalculator.Compute(job, [counted, fresh], 0, Now, TimeSpan.Zero, TimeSpan.Zero, new HashSet<string> { counted.Metadata.Uid! });
        Assert.Equal(3, plan.Status.Failed);
        var released = fresh with { Metadata = fresh.Metadata with { Finalizers = null } };
        Assert.Equal(2, JobStatusCalculator.Compute(job, [released], 0, Now, TimeSpan.Zero, TimeSpan.Zero).Status.Failed);
    }

    private static Job Job(int backoffLimit = 6) => new()
    {
        Metadata = new ObjectMeta { Name = "j", Namespace = "ns", Uid = "uid" },
        Spec = new JobSpec { BackoffLimit = backoffLimit, Template = new PodTemplateSpec { Spec = new PodSpec() } },
    };

    private static Pod Pod(string phase, DateTimeOffset? finished) => new()
    {
        Metadata = new ObjectMeta { Name = "p-" + Guid.NewGuid().ToString("N")[..5], Namespace = "ns", Uid = Guid.NewGuid().ToString(), Finalizers = [JobStatusCalculator.TrackingFinalizer] },
        Status = new PodStatus
        {
            Phase = phase,
            ContainerStatuses = finished is null ? null :
            [
                new ContainerStatus { Name = "c", State = new ContainerState { Terminated = new ContainerStateTerminated { ExitCode = phase == "Failed" ? 1 : 0, FinishedAt = finished } } },
            ],
        },
    };
}
