using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Scheduling;

namespace DataMover.Operator.Tests.Scheduling;

/// <summary>
/// The ScheduleController against the in-process sandbox API server through real HTTP, time driven by a fake clock.
/// The DataMover controller is not in main yet, so runs are finished by patching their status from the test.
/// </summary>
public sealed class ScheduleSandboxTests(SandboxFixture sandbox) : IClassFixture<SandboxFixture>
{
    private static DataMoverScheduleSpec Spec(string schedule = "* * * * *") => new()
    {
        Schedule = schedule,
        SourcePvc = "data",
        SecretName = "s3",
    };

    [Fact]
    public async Task Every_minute_creates_one_run_per_minute_and_keeps_three_successful_and_one_failed()
    {
        await using var h = await ScheduleHarness.StartAsync(sandbox, Spec());

        // The API server applied the CRD's defaults.
        var schedule = await h.ScheduleAsync();
        Assert.Equal("Forbid", schedule.Spec!.ConcurrencyPolicy);
        Assert.Equal(3, schedule.Spec.SuccessfulJobsHistoryLimit);
        Assert.Equal(1, schedule.Spec.FailedJobsHistoryLimit);
        Assert.False(schedule.Spec.Suspend);

        string[] phases = ["Completed", "Failed", "Completed", "Completed", "Failed", "Completed"];
        var names = new List<string>();
        foreach (var phase in phases)
        {
            var at = await h.AdvanceToNextAsync();
            var name = ScheduledNameBuilder.RunName("backup", at);
            names.Add(name);
            await h.WaitForAsync(s => s.Status?.LastScheduleTime == at && s.Status.ActiveJobs == 1, $"run {name}");
            var run = await h.Runs.GetAsync(h.Namespace, name);
            Assert.Equal("backup", run.Metadata.Label(ScheduleLabels.Schedule));
            Assert.Equal(schedule.Metadata.Uid, run.Metadata.ControllerReference()!.Uid);
            Assert.Equal("data", run.Spec!.SourcePvc);
            await h.FinishAsync(name, phase);
            await h.WaitForAsync(s => s.Status?.ActiveJobs == 0, $"{name} to finish");
        }

        var final = await h.WaitForAsync(s => s.Status is { SuccessfulJobs: 3, FailedJobs: 1 }, "history limits");
        await h.WaitForRunsAsync(r => r.Count == 4, "pruned history");
        Assert.Equal(new[] { names[2], names[3], names[4], names[5] }.Order(StringComparer.Ordinal), await h.RunNamesAsync());
        Assert.Equal(final.Metadata.Generation, final.Status!.ObservedGeneration);
        Assert.Equal(6, h.Events.Count(ScheduleReasons.RunCreated));
    }

    [Fact]
    public async Task Forbid_skips_while_a_run_is_active()
    {
        await using var h = await ScheduleHarness.StartAsync(sandbox, Spec());
        var first = await h.AdvanceToNextAsync();
        await h.WaitForAsync(s => s.Status?.ActiveJobs == 1, "first run");

        var second = await h.AdvanceToNextAsync();
        await h.WaitForAsync(s => s.Status?.LastSkippedTime == second, "skipped run");
        Assert.Equal([ScheduledNameBuilder.RunName("backup", first)], await h.RunNamesAsync());
        Assert.Equal(1, h.Events.Count(ScheduleReasons.RunSkipped));
    }

    [Fact]
    public async Task Replace_deletes_the_active_run_and_starts_the_new_one()
    {
        await using var h = await ScheduleHarness.StartAsync(sandbox, Spec() with { ConcurrencyPolicy = "Replace" });
        var first = await h.AdvanceToNextAsync();
        await h.WaitForAsync(s => s.Status?.ActiveJobs == 1, "first run");

        var second = await h.AdvanceToNextAsync();
        await h.WaitForRunsAsync(r => r.Count == 1 && r[0].Metadata.Name == ScheduledNameBuilder.RunName("backup", second), "replacement");
        var status = (await h.WaitForAsync(s => s.Status?.LastScheduleTime == second && s.Status.ActiveJobs == 1, "status after replace")).Status!;
        Assert.Equal(ScheduledNameBuilder.RunName("backup", second), Assert.Single(status.Active!).Name);
        Assert.Null(await h.Runs.TryGetAsync(h.Namespace, ScheduledNameBuilder.RunName("backup", first)));
    }

    [Fact]
    public async Task Allow_runs_concurrently()
    {
        await using var h = await ScheduleHarness.StartAsync(sandbox, Spec() with { ConcurrencyPolicy = "Allow" });
        await h.AdvanceToNextAsync();
        await h.WaitForAsync(s => s.Status?.ActiveJobs == 1, "first run");
        await h.AdvanceToNextAsync();
        await h.WaitForAsync(s => s.Status?.ActiveJobs == 2, "second run alongside");
        Assert.Equal(2, (await h.RunNamesAsync()).Count);
    }

    [Fact]
    public async Task Operator_down_across_three_times_starts_exactly_one_catch_up_run_within_the_deadline()
    {
        await using var h = await ScheduleHarness.StartAsync(sandbox, Spec() with { StartingDeadlineSeconds = 120 });
        var first = await h.AdvanceToNextAsync();
        await h.WaitForAsync(s => s.Status?.ActiveJobs == 1, "first run");
        await h.FinishAllAsync();
        await h.WaitForAsync(s => s.Status?.ActiveJobs == 0, "first run finished");

        await h.StopControllerAsync();
        h.Time.SetUtcNow(first.AddMinutes(3).AddSeconds(30)); // missed first+1, +2, +3
        h.StartController();

        var catchUp = first.AddMinutes(3);
        await h.WaitForAsync(s => s.Status?.LastScheduleTime == catchUp, "one catch-up run");
        await Task.Delay(300); // a second run would have been created by now
        Assert.Equal([ScheduledNameBuilder.RunName("backup", first), ScheduledNameBuilder.RunName("backup", catchUp)], await h.RunNamesAsync());
        Assert.Equal(1, h.Events.Count(ScheduleReasons.MissedSchedule));
    }

    [Fact]
    public async Task Operator_down_beyond_the_deadline_starts_nothing()
    {
        await using var h = await ScheduleHarness.StartAsync(sandbox, Spec() with { StartingDeadlineSeconds = 10 });
        var first = await h.AdvanceToNextAsync();
        await h.WaitForAsync(s => s.Status?.ActiveJobs == 1, "first run");
        await h.FinishAllAsync();

        await h.StopControllerAsync();
        h.Time.SetUtcNow(first.AddMinutes(3).AddSeconds(30));
        h.StartController();

        await h.WaitForAsync(s => s.Status?.LastSkippedTime == first.AddMinutes(3) && s.Status.NextScheduleTime == first.AddMinutes(4), "missed runs recorded");
        Assert.Equal([ScheduledNameBuilder.RunName("backup", first)], await h.RunNamesAsync());
    }

    [Fact]
    public async Task Suspend_creates_nothing_and_resuming_does_not_replay()
    {
        await using var h = await ScheduleHarness.StartAsync(sandbox, Spec() with { Suspend = true });
        var schedule = await h.WaitForAsync(s => Ready(s) is { Status: "False", Reason: ScheduleReasons.Suspended }, "suspended condition");
        Assert.Null(schedule.Status!.NextScheduleTime);

        h.Time.Advance(TimeSpan.FromMinutes(3));
        await h.Schedules.PatchAsync(h.Namespace, "backup", KubePatch.Merge("""{"spec":{"suspend":false}}"""));
        schedule = await h.WaitForAsync(s => Ready(s) is { Status: "True" } && s.Status!.NextScheduleTime is not null, "resumed");
        Assert.Empty(await h.RunNamesAsync());
        Assert.NotNull(schedule.Status!.LastSkippedTime);

        var next = await h.AdvanceToNextAsync();
        await h.WaitForAsync(s => s.Status?.LastScheduleTime == next, "first run after resume");
        Assert.Equal([ScheduledNameBuilder.RunName("backup", next)], await h.RunNamesAsync());
    }

    [Fact]
    public async Task Invalid_cron_reports_a_condition_and_an_event_and_fixing_it_recovers()
    {
        await using var h = await ScheduleHarness.StartAsync(sandbox, Spec("61 * * * *"));
        var schedule = await h.WaitForAsync(s => Valid(s) is { Status: "False" }, "invalid condition");
        Assert.Equal(ScheduleReasons.InvalidSchedule, Valid(schedule)!.Reason);
        Assert.Equal(ScheduleReasons.InvalidSchedule, Ready(schedule)!.Reason);
        Assert.Null(schedule.Status!.NextScheduleTime);
        Assert.Equal(1, h.Events.Count(ScheduleReasons.InvalidSchedule));

        h.Time.Advance(TimeSpan.FromMinutes(2));
        await h.Schedules.PatchAsync(h.Namespace, "backup", KubePatch.Merge("""{"spec":{"schedule":"*/2 * * * *"}}"""));
        schedule = await h.WaitForAsync(s => Valid(s) is { Status: "True" } && s.Status!.ObservedGeneration == s.Metadata.Generation, "valid again");
        Assert.Equal(1, h.Events.Count(ScheduleReasons.InvalidSchedule));
        Assert.Empty(await h.RunNamesAsync());

        var next = await h.AdvanceToNextAsync();
        Assert.Equal(0, next.Minute % 2);
        await h.WaitForAsync(s => s.Status?.LastScheduleTime == next, "run after the fix");
    }

    [Fact]
    public async Task Time_zone_is_honoured()
    {
        await using var h = await ScheduleHarness.StartAsync(sandbox, Spec("15 3 * * *") with { TimeZone = "Asia/Kolkata" });
        var next = (await h.WaitForAsync(s => s.Status?.NextScheduleTime is not null, "next time")).Status!.NextScheduleTime!.Value;

        // 03:15 in Kolkata (UTC+05:30, no DST) is 21:45 UTC.
        Assert.Equal((21, 45, 0), (next.UtcDateTime.Hour, next.UtcDateTime.Minute, next.UtcDateTime.Second));
        h.Time.SetUtcNow(next);
        await h.WaitForAsync(s => s.Status?.LastScheduleTime == next, "run at 03:15 IST");
    }

    [Fact]
    public async Task The_crd_rejects_invalid_specs_and_accepts_the_samples()
    {
        var ns = await sandbox.NewNamespaceAsync();
        var schedules = sandbox.Client.Resource(DataMoverResources.Schedules);

        async Task Rejected(DataMoverScheduleSpec spec)
        {
            var e = await Assert.ThrowsAsync<KubeApiException>(() => schedules.CreateAsync(new DataMoverSchedule
            {
                Metadata = new ObjectMeta { Name = "bad", Namespace = ns },
                Spec = spec,
            }));
            Assert.True(e.IsInvalid, e.Message);
        }

        await Rejected(Spec() with { SecretName = null });
        await Rejected(Spec() with { SourcePvc = null });
        await Rejected(Spec() with { Schedule = null });
        await Rejected(Spec() with { ConcurrencyPolicy = "Sometimes" });
        await Rejected(Spec() with { SuccessfulJobsHistoryLimit = -1 });
        await Rejected(Spec() with { StartingDeadlineSeconds = -5 });
        await Rejected(Spec() with { SourcePvc = "Not_A_Name" });
        await Rejected(Spec() with { Image = new MoverImage { PullPolicy = "Sometimes" } });
        await Rejected(Spec() with { Timeouts = new DataMoverTimeouts { MoverRun = "10 minutes" } });
        await Rejected(Spec() with { AdditionalEnv = [new EnvVar { Name = "1NOT A NAME", Value = "x" }] });
        await Rejected(Spec() with { Image = new MoverImage { Tag = new string('t', 129) } });
        await Rejected(Spec() with { Timeouts = new DataMoverTimeouts { SourceReady = "-5m" } });

        foreach (var sample in new[] { "deploy/samples/datamoverschedule.yaml", "deploy/samples/datamoverschedule-hourly.yaml" })
        {
            var schedule = System.Text.Json.JsonSerializer.Deserialize(SandboxFixture.YamlToJson(SandboxFixture.RepoFile(sample)), OperatorJsonContext.Default.DataMoverSchedule)!;
            var created = await schedules.CreateAsync(schedule with { Metadata = schedule.Metadata with { Namespace = ns } });
            Assert.NotNull(created.Metadata.Uid);
            Assert.True(CronSchedule.Parse(created.Spec!.Schedule, created.Spec.TimeZone).Schedule is not null);
        }
    }

    [Fact]
    public async Task Each_run_carries_the_schedules_timeouts()
    {
        var timeouts = new DataMoverTimeouts { SourceReady = "2m", CloneReady = "45m", MoverStart = "90s", MoverRun = "6h", Cleanup = "1h30m" };
        await using var h = await ScheduleHarness.StartAsync(sandbox, Spec() with { Timeouts = timeouts });
        Assert.Equal(timeouts, (await h.ScheduleAsync()).Spec!.Timeouts); // the CRD keeps the field

        var at = await h.AdvanceToNextAsync();
        await h.WaitForAsync(s => s.Status?.LastScheduleTime == at, "a run");

        var run = await h.Runs.GetAsync(h.Namespace, ScheduledNameBuilder.RunName("backup", at));
        Assert.Equal(timeouts, run.Spec!.Timeouts);
    }

    private static Condition? Ready(DataMoverSchedule s) => s.Status?.Conditions?.FirstOrDefault(c => c.Type == ScheduleReasons.ReadyCondition);

    private static Condition? Valid(DataMoverSchedule s) => s.Status?.Conditions?.FirstOrDefault(c => c.Type == ScheduleReasons.ScheduleValidCondition);
}
