using System.Globalization;
using System.Net;
using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Kube.Runtime;
using DataMover.Operator.Api;
using DataMover.Operator.Scheduling;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataMover.Operator.Tests.Scheduling;

/// <summary>The reconciler against an in-memory API, with time driven by a fake clock.</summary>
public sealed class ScheduleReconcilerTests
{
    private static readonly DateTimeOffset T0 = At("10:00:30");

    private readonly FakeTimeProvider _time = new(T0);
    private readonly InMemoryScheduleStore _store;
    private readonly RecordingEvents _events = new();
    private readonly ScheduleReconciler _reconciler;

    public ScheduleReconcilerTests()
    {
        _store = new InMemoryScheduleStore(_time);
        _reconciler = new ScheduleReconciler(_store, _events, _time, NullLogger.Instance);
    }

    private static DateTimeOffset At(string hhmmss) => DateTimeOffset.Parse("2026-11-21T" + hhmmss + "Z", CultureInfo.InvariantCulture);

    private static string RunAt(string hhmm) => ScheduledNameBuilder.RunName("backup", At(hhmm + ":00"));

    private static DataMoverScheduleSpec Spec(string schedule = "* * * * *") => new()
    {
        Schedule = schedule,
        SourcePvc = "data",
        SecretName = "s3",
        AddTimestampPrefix = true,
        Image = new MoverImage { Repository = "example/mover", Tag = "1.0" },
    };

    private Task<ReconcileResult> ReconcileAsync() => _reconciler.ReconcileAsync("default/backup", CancellationToken.None);

    private DataMoverScheduleStatus Status => _store.Schedule("backup").Status!;

    private Condition Ready => Status.Conditions!.Single(c => c.Type == ScheduleReasons.ReadyCondition);

    private IReadOnlyList<string> RunNames => _store.Runs.Select(r => r.Metadata.Name!).ToList();

    private async Task<ReconcileResult> ReconcileAtAsync(string hhmmss, bool finishActive = false)
    {
        if (finishActive)
        {
            _store.FinishAll();
        }

        _time.SetUtcNow(At(hhmmss));
        return await ReconcileAsync();
    }

    [Fact]
    public async Task Creates_one_run_per_scheduled_time_and_sleeps_until_the_next()
    {
        _store.AddSchedule("backup", Spec());

        var first = await ReconcileAsync();
        Assert.Empty(_store.Runs);
        Assert.Equal(TimeSpan.FromSeconds(30), first.RequeueAfter);
        Assert.Equal(At("10:01:00"), Status.NextScheduleTime);

        var second = await ReconcileAtAsync("10:01:00");
        var run = Assert.Single(_store.Runs);
        Assert.Equal(RunAt("10:01"), run.Metadata.Name);
        Assert.Equal(TimeSpan.FromMinutes(1), second.RequeueAfter);
        Assert.Equal(At("10:01:00"), Status.LastScheduleTime);
        Assert.Equal(At("10:02:00"), Status.NextScheduleTime);
        Assert.Equal(1, Status.ActiveJobs);
        Assert.Equal(run.Metadata.Name, Assert.Single(Status.Active!).Name);

        // The run carries the schedule's template, labels, the scheduled time and a controller reference.
        Assert.Equal("backup", run.Metadata.Label(ScheduleLabels.Schedule));
        Assert.Equal("datamover-operator", run.Metadata.Label(ScheduleLabels.CreatedBy));
        Assert.Equal("2026-11-21T10:01:00Z", run.Metadata.Annotation(ScheduleLabels.ScheduledAt));
        var owner = run.Metadata.ControllerReference()!;
        Assert.Equal(_store.Schedule("backup").Metadata.Uid, owner.Uid);
        Assert.Equal("DataMoverSchedule", owner.Kind);
        Assert.Equal("data", run.Spec!.SourcePvc);
        Assert.Equal("s3", run.Spec.SecretName);
        Assert.True(run.Spec.AddTimestampPrefix);
        Assert.Equal("example/mover", run.Spec.Image!.Repository);

        // Reconciling again at the same instant changes nothing.
        var writes = _store.StatusWrites;
        await ReconcileAsync();
        Assert.Equal(1, _store.Creates);
        Assert.Equal(writes, _store.StatusWrites);

        await ReconcileAtAsync("10:02:00", finishActive: true);
        Assert.Equal([RunAt("10:01"), RunAt("10:02")], RunNames);
        Assert.Equal(1, Status.SuccessfulJobs);
        Assert.Equal(At("10:01:00"), Status.LastSuccessfulTime);
    }

    [Fact]
    public async Task History_limits_keep_three_successful_and_one_failed()
    {
        _store.AddSchedule("backup", Spec());
        string[] phases = ["Completed", "Failed", "Completed", "Completed", "Failed", "Completed", "Completed", "Failed"];
        for (var i = 0; i < phases.Length; i++)
        {
            var time = At("10:00:00").AddMinutes(i + 1);
            _time.SetUtcNow(time);
            await ReconcileAsync();
            _store.SetPhase(ScheduledNameBuilder.RunName("backup", time), phases[i]);
        }

        await ReconcileAsync();

        Assert.Equal([RunAt("10:04"), RunAt("10:06"), RunAt("10:07"), RunAt("10:08")], RunNames);
        Assert.Equal(3, Status.SuccessfulJobs);
        Assert.Equal(1, Status.FailedJobs);
        Assert.Equal(0, Status.ActiveJobs);
        Assert.Null(Status.Active);
    }

    [Fact]
    public async Task Forbid_skips_while_a_run_is_active_and_never_starts_the_skipped_run_late()
    {
        _store.AddSchedule("backup", Spec());
        await ReconcileAtAsync("10:01:00");

        await ReconcileAtAsync("10:02:00");
        Assert.Equal([RunAt("10:01")], RunNames);
        Assert.Equal(1, _events.Count(ScheduleReasons.RunSkipped));
        Assert.Equal(At("10:02:00"), Status.LastSkippedTime);

        await ReconcileAtAsync("10:02:30", finishActive: true);
        Assert.Equal([RunAt("10:01")], RunNames);

        await ReconcileAtAsync("10:03:00");
        Assert.Equal([RunAt("10:01"), RunAt("10:03")], RunNames);
    }

    [Fact]
    public async Task Replace_deletes_the_active_run_then_starts_the_new_one()
    {
        _store.AddSchedule("backup", Spec() with { ConcurrencyPolicy = "Replace" });
        await ReconcileAtAsync("10:01:00");

        await ReconcileAtAsync("10:02:00");

        Assert.Equal([RunAt("10:01")], _store.Deleted);
        Assert.Equal([RunAt("10:02")], RunNames);
        Assert.Equal(1, _events.Count(ScheduleReasons.RunReplaced));
        Assert.Equal(RunAt("10:02"), Assert.Single(Status.Active!).Name);
    }

    [Fact]
    public async Task Allow_runs_concurrently()
    {
        _store.AddSchedule("backup", Spec() with { ConcurrencyPolicy = "Allow" });
        await ReconcileAtAsync("10:01:00");
        await ReconcileAtAsync("10:02:00");

        Assert.Equal([RunAt("10:01"), RunAt("10:02")], RunNames);
        Assert.Equal(2, Status.ActiveJobs);
        Assert.Empty(_store.Deleted);
    }

    [Fact]
    public async Task After_an_outage_across_three_times_exactly_one_catch_up_run_starts()
    {
        _store.AddSchedule("backup", Spec() with { StartingDeadlineSeconds = 120 });
        await ReconcileAtAsync("10:01:00", finishActive: false);
        _store.FinishAll();

        // Down across 10:02, 10:03 and 10:04.
        await ReconcileAtAsync("10:04:30");
        await ReconcileAsync();

        Assert.Equal([RunAt("10:01"), RunAt("10:04")], RunNames);
        Assert.Equal(At("10:04:00"), Status.LastScheduleTime);
        Assert.Equal(1, _events.Count(ScheduleReasons.MissedSchedule));
    }

    [Fact]
    public async Task After_an_outage_runs_beyond_the_starting_deadline_are_not_started()
    {
        _store.AddSchedule("backup", Spec() with { StartingDeadlineSeconds = 10 });
        await ReconcileAtAsync("10:01:00");
        _store.FinishAll();

        var result = await ReconcileAtAsync("10:04:30");
        await ReconcileAsync();

        Assert.Equal([RunAt("10:01")], RunNames);
        Assert.Equal(1, _events.Count(ScheduleReasons.MissedSchedule));
        Assert.Equal(At("10:04:00"), Status.LastSkippedTime);
        Assert.Equal(TimeSpan.FromSeconds(30), result.RequeueAfter);

        await ReconcileAtAsync("10:05:00");
        Assert.Equal([RunAt("10:01"), RunAt("10:05")], RunNames);
    }

    [Fact]
    public async Task Without_a_deadline_an_outage_still_starts_only_the_most_recent_run()
    {
        _store.AddSchedule("backup", Spec());
        await ReconcileAtAsync("13:37:10");
        Assert.Equal([RunAt("13:37")], RunNames);
    }

    [Fact]
    public async Task Suspended_schedules_create_nothing_and_resuming_does_not_replay()
    {
        _store.AddSchedule("backup", Spec() with { Suspend = true });

        var result = await ReconcileAtAsync("10:01:00");
        await ReconcileAtAsync("10:02:00");
        await ReconcileAtAsync("10:03:00");
        Assert.Empty(_store.Runs);
        Assert.Null(result.RequeueAfter);
        Assert.Null(Status.NextScheduleTime);
        var ready = Status.Conditions!.Single(c => c.Type == ScheduleReasons.ReadyCondition);
        Assert.Equal(("False", ScheduleReasons.Suspended), (ready.Status, ready.Reason));

        _time.SetUtcNow(At("10:03:30"));
        _store.UpdateSpec("backup", s => s with { Suspend = false });
        result = await ReconcileAsync();
        await ReconcileAsync();
        Assert.Empty(_store.Runs);
        Assert.Equal(TimeSpan.FromSeconds(30), result.RequeueAfter);
        Assert.Equal(At("10:04:00"), Status.NextScheduleTime);

        await ReconcileAtAsync("10:04:00");
        Assert.Equal([RunAt("10:04")], RunNames);
    }

    [Fact]
    public async Task Invalid_cron_sets_a_condition_and_an_event_once_and_fixing_it_recovers()
    {
        _store.AddSchedule("backup", Spec("every minute please"));

        var result = await ReconcileAsync();
        Assert.Null(result.RequeueAfter);
        var valid = Status.Conditions!.Single(c => c.Type == ScheduleReasons.ScheduleValidCondition);
        Assert.Equal(("False", ScheduleReasons.InvalidSchedule), (valid.Status, valid.Reason));
        var ready = Status.Conditions!.Single(c => c.Type == ScheduleReasons.ReadyCondition);
        Assert.Equal(("False", ScheduleReasons.InvalidSchedule), (ready.Status, ready.Reason));
        var warning = Assert.Single(_events.All);
        Assert.Equal(("Warning", ScheduleReasons.InvalidSchedule), (warning.Type, warning.Reason));

        // No hot loop: another pass writes and reports nothing.
        var writes = _store.StatusWrites;
        await ReconcileAtAsync("10:02:30");
        Assert.Single(_events.All);
        Assert.Equal(writes, _store.StatusWrites);

        _store.UpdateSpec("backup", s => s with { Schedule = "* * * * *" });
        result = await ReconcileAsync();
        Assert.Empty(_store.Runs); // 10:01 and 10:02 passed while invalid: not replayed.
        Assert.Equal(TimeSpan.FromSeconds(30), result.RequeueAfter);
        Assert.Equal("True", Status.Conditions!.Single(c => c.Type == ScheduleReasons.ScheduleValidCondition).Status);
        Assert.Equal("True", Status.Conditions!.Single(c => c.Type == ScheduleReasons.ReadyCondition).Status);
        Assert.Equal(2, Status.ObservedGeneration);

        await ReconcileAtAsync("10:03:00");
        Assert.Equal([RunAt("10:03")], RunNames);
    }

    [Fact]
    public async Task Invalid_time_zone_sets_a_condition()
    {
        _store.AddSchedule("backup", Spec() with { TimeZone = "Europe/Atlantis" });
        await ReconcileAsync();
        var valid = Status.Conditions!.Single(c => c.Type == ScheduleReasons.ScheduleValidCondition);
        Assert.Equal(ScheduleReasons.InvalidTimeZone, valid.Reason);
        Assert.Equal(ScheduleReasons.InvalidTimeZone, Assert.Single(_events.All).Reason);
    }

    [Fact]
    public async Task Time_zone_is_honoured()
    {
        _store.AddSchedule("backup", Spec("30 11 * * *") with { TimeZone = "Europe/Paris" });

        var result = await ReconcileAsync();
        Assert.Equal(At("10:30:00"), Status.NextScheduleTime); // 11:30 CET
        Assert.Equal(TimeSpan.FromMinutes(29.5), result.RequeueAfter);

        await ReconcileAtAsync("10:30:00");
        Assert.Equal("2026-11-21T10:30:00Z", Assert.Single(_store.Runs).Metadata.Annotation(ScheduleLabels.ScheduledAt));
    }

    [Fact]
    public async Task Long_sleeps_are_capped_for_wall_clock_jumps()
    {
        _store.AddSchedule("backup", Spec("@daily"));
        var result = await ReconcileAsync();
        Assert.Equal(ScheduleReconciler.MaxWait, result.RequeueAfter);
    }

    [Fact]
    public async Task A_stale_cache_does_not_repeat_or_replace_a_run()
    {
        _store.AddSchedule("backup", Spec() with { ConcurrencyPolicy = "Replace" });
        await ReconcileAsync();
        var before = _store.Schedule("backup");
        await ReconcileAtAsync("10:01:00");

        // The cache still shows the schedule from before the 10:01 run was recorded.
        _store.StaleSchedule = before;
        await ReconcileAsync();
        _store.StaleSchedule = null;

        Assert.Equal(1, _store.Creates);
        Assert.Empty(_store.Deleted);
        Assert.Equal([RunAt("10:01")], RunNames);
    }

    [Fact]
    public async Task A_run_created_before_a_lost_status_write_is_adopted_not_duplicated()
    {
        _store.AddSchedule("backup", Spec());
        _time.SetUtcNow(At("10:01:00"));
        var schedule = _store.Schedule("backup");
        await _store.CreateRunAsync(ScheduledRunFactory.Build(schedule, At("10:01:00")), CancellationToken.None);

        await ReconcileAsync();

        Assert.Equal(1, _store.Creates);
        Assert.Equal(At("10:01:00"), Status.LastScheduleTime);
        Assert.Equal(1, Status.ActiveJobs);
    }

    [Fact]
    public async Task A_run_the_api_rejects_makes_the_schedule_not_ready_with_one_event_and_is_retried_with_backoff()
    {
        _store.AddSchedule("backup", Spec());
        _store.CreateFailure = new KubeApiException(
            new Status { Reason = "Invalid", Message = "DataMover.datamover.a-cup-of.coffee \"x\" is invalid: spec.additionalEnv[0].name: Invalid value" },
            HttpStatusCode.UnprocessableEntity);

        var result = await ReconcileAtAsync("10:01:00");

        var ready = Ready;
        Assert.Equal(("False", ScheduleReasons.RunCreationFailed), (ready.Status, ready.Reason));
        Assert.Contains($"cannot create DataMover {RunAt("10:01")}", ready.Message, StringComparison.Ordinal);
        Assert.Contains("422 Invalid: DataMover.datamover.a-cup-of.coffee \"x\" is invalid: spec.additionalEnv[0].name", ready.Message, StringComparison.Ordinal);
        Assert.Equal("True", Status.Conditions!.Single(c => c.Type == ScheduleReasons.ScheduleValidCondition).Status);
        var warning = Assert.Single(_events.All);
        Assert.Equal(("Warning", ScheduleReasons.RunCreationFailed, ready.Message), warning);
        Assert.Null(Status.LastScheduleTime);
        Assert.Null(Status.LastSkippedTime); // not swallowed: the time is still due
        Assert.Equal(ScheduleReconciler.MinCreationRetry, result.RequeueAfter);

        // Retries back off (1 s, 1 s, 2 s, 4 s from when it started failing) and report nothing new.
        var writes = _store.StatusWrites;
        Assert.Equal(TimeSpan.FromSeconds(1), (await ReconcileAtAsync("10:01:01")).RequeueAfter);
        Assert.Equal(TimeSpan.FromSeconds(2), (await ReconcileAtAsync("10:01:02")).RequeueAfter);
        Assert.Equal(TimeSpan.FromSeconds(4), (await ReconcileAtAsync("10:01:04")).RequeueAfter);
        Assert.Single(_events.All);
        Assert.Equal(writes, _store.StatusWrites);
        Assert.Empty(_store.Runs);

        // Never past the next scheduled time, which supersedes the refused one.
        Assert.Equal(TimeSpan.FromSeconds(20), (await ReconcileAtAsync("10:01:40")).RequeueAfter);

        _store.CreateFailure = null;
        result = await ReconcileAtAsync("10:01:45");
        Assert.Equal([RunAt("10:01")], RunNames);
        Assert.Equal(("True", ScheduleReasons.Scheduled), (Ready.Status, Ready.Reason));
        Assert.Equal(At("10:01:00"), Status.LastScheduleTime);
        Assert.Equal(TimeSpan.FromSeconds(15), result.RequeueAfter);
        Assert.Equal(1, _events.Count(ScheduleReasons.RunCreationFailed));
    }

    [Fact]
    public async Task A_forbidden_create_names_the_verb_and_resource_and_a_new_failure_is_reported_again()
    {
        const string rbac = "datamovers.datamover.a-cup-of.coffee is forbidden: User \"system:serviceaccount:datamover-system:datamover-operator\" " +
            "cannot create resource \"datamovers\" in API group \"datamover.a-cup-of.coffee\" in the namespace \"default\"";
        _store.AddSchedule("backup", Spec());
        _store.CreateFailure = new KubeApiException(new Status { Reason = "Forbidden", Message = rbac }, HttpStatusCode.Forbidden);

        await ReconcileAtAsync("10:01:00");
        await ReconcileAtAsync("10:01:30");

        Assert.Equal(("False", ScheduleReasons.RunCreationFailed), (Ready.Status, Ready.Reason));
        Assert.Contains("403 Forbidden: " + rbac, Ready.Message, StringComparison.Ordinal);
        Assert.Equal(1, _events.Count(ScheduleReasons.RunCreationFailed));

        // The next time fails too: a distinct failure (another run), so one more event.
        await ReconcileAtAsync("10:02:00");
        Assert.Contains(RunAt("10:02"), Ready.Message, StringComparison.Ordinal);
        Assert.Equal(2, _events.Count(ScheduleReasons.RunCreationFailed));
        Assert.Empty(_store.Runs);
    }

    [Fact]
    public async Task A_refused_time_that_misses_its_deadline_leaves_the_schedule_not_ready_until_a_run_starts()
    {
        _store.AddSchedule("backup", Spec() with { StartingDeadlineSeconds = 10 });
        _store.CreateFailure = new KubeApiException(new Status { Reason = "Forbidden", Message = "no" }, HttpStatusCode.Forbidden);
        await ReconcileAtAsync("10:01:00");
        _store.CreateFailure = null;

        await ReconcileAtAsync("10:01:30");
        Assert.Empty(_store.Runs);
        Assert.Equal(ScheduleReasons.RunCreationFailed, Ready.Reason);
        Assert.Equal(At("10:01:00"), Status.LastSkippedTime);

        await ReconcileAtAsync("10:02:00");
        Assert.Equal([RunAt("10:02")], RunNames);
        Assert.Equal(("True", ScheduleReasons.Scheduled), (Ready.Status, Ready.Reason));
    }

    [Fact]
    public async Task Under_forbid_an_active_run_that_outlives_its_slot_makes_the_schedule_not_ready_naming_it()
    {
        _store.AddSchedule("backup", Spec());
        await ReconcileAtAsync("10:01:00");
        _store.SetPhase(RunAt("10:01"), "CreatingPod");
        await ReconcileAtAsync("10:01:30");
        Assert.Equal("True", Ready.Status); // active, but within its slot

        await ReconcileAtAsync("10:02:00");
        Assert.Equal(("False", ScheduleReasons.RunSkipped), (Ready.Status, Ready.Reason));
        Assert.Equal(
            $"DataMover {RunAt("10:01")} is still active (phase CreatingPod since 2026-11-21T10:01:00Z), so the run scheduled at 2026-11-21T10:02:00Z was skipped (concurrencyPolicy Forbid)",
            Ready.Message);
        Assert.Contains("CreatingPod since 2026-11-21T10:01:00Z", Assert.Single(_events.All, e => e.Reason == ScheduleReasons.RunSkipped).Message, StringComparison.Ordinal);

        // Still stuck at the next time: the message follows the latest skipped time.
        await ReconcileAtAsync("10:03:00");
        Assert.Contains("scheduled at 2026-11-21T10:03:00Z was skipped", Ready.Message, StringComparison.Ordinal);

        // It finishes: ready again at once, without waiting for the next time.
        _store.FinishAll();
        await ReconcileAtAsync("10:03:10");
        Assert.Equal(("True", ScheduleReasons.Scheduled), (Ready.Status, Ready.Reason));
        Assert.Equal([RunAt("10:01")], RunNames);
    }

    [Fact]
    public async Task Allow_is_not_held_up_by_a_long_run()
    {
        _store.AddSchedule("backup", Spec() with { ConcurrencyPolicy = "Allow" });
        await ReconcileAtAsync("10:01:00");
        await ReconcileAtAsync("10:02:00");
        Assert.Equal("True", Ready.Status);
    }

    [Fact]
    public async Task Each_run_carries_the_schedules_timeouts()
    {
        var timeouts = new DataMoverTimeouts { SourceReady = "2m", CloneReady = "45m", MoverStart = "90s", MoverRun = "6h", Cleanup = "1h30m" };
        _store.AddSchedule("backup", Spec() with { Timeouts = timeouts });

        await ReconcileAtAsync("10:01:00");

        Assert.Equal(timeouts, Assert.Single(_store.Runs).Spec!.Timeouts);
    }

    [Fact]
    public async Task Deleted_schedules_are_left_to_garbage_collection()
    {
        var result = await ReconcileAsync();
        Assert.Null(result.RequeueAfter);
        Assert.Empty(_store.Runs);
    }
}
