using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Scheduling;
using DataMover.Operator.Tests.Support;

namespace DataMover.Operator.Tests.Scheduling;

/// <summary>
/// Schedules that cannot do their job, against the sandbox API over real HTTP: what the conditions, the events and
/// <c>kubectl get dms</c> say. Its own sandbox, because some tests inject faults into every create.
/// </summary>
public sealed class ScheduleReadinessSandboxTests(SandboxFixture sandbox) : IClassFixture<SandboxFixture>
{
    private static DataMoverScheduleSpec Spec(string schedule = "* * * * *") => new()
    {
        Schedule = schedule,
        SourcePvc = "data",
        SecretName = "s3",
    };

    [Fact]
    public async Task A_cron_number_that_overflows_is_reported_as_invalid_and_fixing_it_recovers()
    {
        await using var h = await ScheduleHarness.StartAsync(sandbox, Spec("99999999999999999999 * * * *"));

        var schedule = await h.WaitForAsync(s => Valid(s) is { Status: "False" }, "invalid condition");
        Assert.Equal(ScheduleReasons.InvalidSchedule, Valid(schedule)!.Reason);
        Assert.Contains("minute value 99999999999999999999 is out of range (0-59)", Valid(schedule)!.Message, StringComparison.Ordinal);
        Assert.Equal(("False", ScheduleReasons.InvalidSchedule), (Ready(schedule)!.Status, Ready(schedule)!.Reason));
        Assert.Null(schedule.Status!.NextScheduleTime);
        Assert.Equal(1, h.Events.Count(ScheduleReasons.InvalidSchedule));

        var table = await Kubectl.RunAsync(sandbox.KubeconfigPath, "get", "dms", "backup", "-n", h.Namespace, "-o", "wide");
        Assert.Equal("False", Kubectl.Cell(table, "READY"));
        Assert.Equal(ScheduleReasons.InvalidSchedule, Kubectl.Cell(table, "REASON"));

        await h.Schedules.PatchAsync(h.Namespace, "backup", KubePatch.Merge("""{"spec":{"schedule":"* * * * *"}}"""));
        await h.WaitForAsync(s => Valid(s) is { Status: "True" } && Ready(s) is { Status: "True" } && s.Status!.NextScheduleTime is not null, "valid again");
        Assert.Equal(1, h.Events.Count(ScheduleReasons.InvalidSchedule));
    }

    [Fact]
    public async Task A_create_the_api_server_forbids_makes_the_schedule_not_ready_and_kubectl_shows_why()
    {
        await using var h = await ScheduleHarness.StartAsync(sandbox, Spec());
        await h.WaitForAsync(s => s.Status?.NextScheduleTime is not null, "a next schedule time");

        // A terminating namespace refuses new objects with 403 Forbidden. Nothing finalizes namespaces in this
        // sandbox, so the schedule stays and its status can still be written.
        await sandbox.Client.Resource(KubeResources.Namespaces).DeleteAsync(null, h.Namespace);
        var at = await h.AdvanceToNextAsync();
        var run = ScheduledNameBuilder.RunName("backup", at);

        var schedule = await h.WaitForAsync(s => Ready(s) is { Status: "False", Reason: ScheduleReasons.RunCreationFailed }, "RunCreationFailed");
        var message = Ready(schedule)!.Message!;
        Assert.Contains($"cannot create DataMover {run}", message, StringComparison.Ordinal);
        Assert.Contains($"403 Forbidden: datamovers.datamover.a-cup-of.coffee \"{run}\" is forbidden: unable to create new content in namespace {h.Namespace}", message, StringComparison.Ordinal);
        Assert.Equal("True", Valid(schedule)!.Status);
        Assert.Null(schedule.Status!.LastScheduleTime);
        Assert.Null(schedule.Status.LastSkippedTime);
        var warning = Assert.Single(h.Events.All, e => e.Reason == ScheduleReasons.RunCreationFailed);
        Assert.Equal(("Warning", message), (warning.Type, warning.Message));

        var table = await Kubectl.RunAsync(sandbox.KubeconfigPath, "get", "dms", "backup", "-n", h.Namespace, "-o", "wide");
        Assert.Equal("False", Kubectl.Cell(table, "READY"));
        Assert.Equal(ScheduleReasons.RunCreationFailed, Kubectl.Cell(table, "REASON"));
        Assert.Contains("is forbidden: unable to create new content", Kubectl.Cell(table, "MESSAGE"), StringComparison.Ordinal);
        var narrow = await Kubectl.RunAsync(sandbox.KubeconfigPath, "get", "dms", "-n", h.Namespace);
        Assert.Equal("False", Kubectl.Cell(narrow, "READY"));
        Assert.DoesNotContain("REASON", narrow, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_create_is_retried_after_a_backoff_and_the_same_time_runs_once_the_api_accepts_it()
    {
        await using var h = await ScheduleHarness.StartAsync(sandbox, Spec());
        await h.WaitForAsync(s => s.Status?.NextScheduleTime is not null, "a next schedule time");
        DateTimeOffset at;
        sandbox.Faults.Configure("error500=1:create");
        try
        {
            at = await h.AdvanceToNextAsync();
            var schedule = await h.WaitForAsync(s => Ready(s) is { Status: "False", Reason: ScheduleReasons.RunCreationFailed }, "RunCreationFailed");
            Assert.Contains("500 InternalError: Internal error occurred: injected fault", Ready(schedule)!.Message, StringComparison.Ordinal);
            Assert.Empty(await h.RunNamesAsync());
        }
        finally
        {
            sandbox.Faults.Clear();
        }

        // Only the backoff timer brings the controller back (nothing else changes): step the clock a second at a time
        // until it has retried, well before the next scheduled time.
        var run = ScheduledNameBuilder.RunName("backup", at);
        for (var step = 0; step < 30 && !(await h.RunNamesAsync()).Contains(run); step++)
        {
            h.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(100);
        }

        var recovered = await h.WaitForAsync(s => Ready(s) is { Status: "True" } && s.Status!.LastScheduleTime == at, "the refused time to run");
        Assert.Equal([run], await h.RunNamesAsync());
        Assert.Equal(ScheduleReasons.Scheduled, Ready(recovered)!.Reason);
        Assert.Equal(1, h.Events.Count(ScheduleReasons.RunCreationFailed));
    }

    [Fact]
    public async Task Under_forbid_a_stuck_run_makes_the_schedule_not_ready_naming_it_until_it_finishes()
    {
        await using var h = await ScheduleHarness.StartAsync(sandbox, Spec());
        var first = await h.AdvanceToNextAsync();
        var run = ScheduledNameBuilder.RunName("backup", first);
        await h.WaitForAsync(s => s.Status?.ActiveJobs == 1, "first run");
        await h.Runs.PatchStatusAsync(h.Namespace, run, KubePatch.Merge(
            $$$"""{"status":{"phase":"CreatingPod","phaseStartTime":"{{{Kube.Json.Rfc3339Converter.Format(first.AddSeconds(5))}}}"}}"""));

        var second = await h.AdvanceToNextAsync();
        var schedule = await h.WaitForAsync(s => Ready(s) is { Status: "False", Reason: ScheduleReasons.RunSkipped }, "RunSkipped");
        Assert.Equal(
            $"DataMover {run} is still active (phase CreatingPod since {Kube.Json.Rfc3339Converter.Format(first.AddSeconds(5))}), " +
            $"so the run scheduled at {Kube.Json.Rfc3339Converter.Format(second)} was skipped (concurrencyPolicy Forbid)",
            Ready(schedule)!.Message);
        Assert.Equal(second, schedule.Status!.LastSkippedTime);

        var table = await Kubectl.RunAsync(sandbox.KubeconfigPath, "get", "dms", "backup", "-n", h.Namespace, "-o", "wide");
        Assert.Equal("False", Kubectl.Cell(table, "READY"));
        Assert.Equal(ScheduleReasons.RunSkipped, Kubectl.Cell(table, "REASON"));
        Assert.Contains(run, Kubectl.Cell(table, "MESSAGE"), StringComparison.Ordinal);

        await h.FinishAsync(run);
        await h.WaitForAsync(s => Ready(s) is { Status: "True" } && s.Status!.ActiveJobs == 0, "ready once the run finished");
        Assert.Equal([run], await h.RunNamesAsync());
    }

    private static Condition? Ready(DataMoverSchedule s) => s.Status?.Conditions?.FirstOrDefault(c => c.Type == ScheduleReasons.ReadyCondition);

    private static Condition? Valid(DataMoverSchedule s) => s.Status?.Conditions?.FirstOrDefault(c => c.Type == ScheduleReasons.ScheduleValidCondition);
}
