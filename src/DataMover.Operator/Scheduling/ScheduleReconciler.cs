using DataMover.Operator.Events;
using System.Text.Json;
using DataMover.Kube.Client;
using DataMover.Kube.Json;
using DataMover.Kube.Models;
using DataMover.Kube.Runtime;
using DataMover.Operator.Api;

namespace DataMover.Operator.Scheduling;

/// <summary>
/// Reconciles one DataMoverSchedule: prunes history, starts the due run (at most one, the most recent missed),
/// applies the concurrency policy, writes status and asks to be woken at the next scheduled time.
/// Level-triggered and idempotent: run names are derived from the scheduled time, so a repeat after a crash
/// meets AlreadyExists instead of a second run.
/// </summary>
internal sealed partial class ScheduleReconciler(
    IScheduleStore store, IEventSink events, TimeProvider time, ILogger logger, Security.MoverAdmission? admission = null, Metrics.ScheduleMetrics? metrics = null,
    Retention.SchedulePruner? pruner = null) : IReconciler
{
    /// <summary>
    /// Longest sleep of a valid schedule. Wake-up timers run on the monotonic clock while schedules are wall-clock,
    /// so a clock step (NTP, a resumed VM) is noticed within this bound; otherwise waking is purely at the next time.
    /// </summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromHours(1);

    /// <summary>Bounds of the backoff between attempts to create a run the API server refused.</summary>
    public static readonly TimeSpan MinCreationRetry = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan MaxCreationRetry = TimeSpan.FromMinutes(5);

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var schedule = store.GetCachedSchedule(key);
        if (schedule is null || schedule.Metadata.DeletionTimestamp is not null)
        {
            var (ns, name) = ObjectKey.Split(key);
            metrics?.Forget(ns ?? "", name);
            return ReconcileResult.Done;
        }

        // Before acting on a due run, re-read the schedule: a cache that lags our own last status write would
        // otherwise see the previous run as still due (harmless thanks to AlreadyExists, but Replace would delete it).
        if (IsRunDue(schedule, time.GetUtcNow()))
        {
            schedule = await store.GetScheduleAsync(schedule.Metadata.Namespace, schedule.Metadata.Name!, cancellationToken);
            if (schedule is null || schedule.Metadata.DeletionTimestamp is not null)
            {
                return ReconcileResult.Done;
            }
        }

        return await ReconcileScheduleAsync(schedule, cancellationToken);
    }

    private async Task<ReconcileResult> ReconcileScheduleAsync(DataMoverSchedule schedule, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var spec = schedule.Spec ?? new DataMoverScheduleSpec();
        var old = schedule.Status ?? new DataMoverScheduleStatus();
        var status = old with { ObservedGeneration = schedule.Metadata.Generation };

        var runs = store.RunsOf(schedule)
            .Where(r => r.Metadata.DeletionTimestamp is null)
            .Select(ScheduledRun.From)
            .ToList();
        // Before the history limit takes it: the run a prune follows may be one the limit deletes at once.
        var newestSucceeded = runs.Where(r => r.State == RunState.Succeeded).MaxBy(r => r.ScheduledTime)?.Mover;
        runs = await PruneHistoryAsync(schedule, spec, runs, cancellationToken);

        var pass = await RunPassAsync(schedule, spec, old, status, runs, now, cancellationToken);

        // The one place conditions change; a new failure is reported once, not on every retry of it.
        var previousReady = ConditionSet.Find(old.Conditions, ScheduleReasons.ReadyCondition);
        if (!pass.Ready.IsTrue && ScheduleReadiness.IsWarning(pass.Ready.Reason) && !pass.Ready.IsStatedBy(previousReady))
        {
            events.Warning(schedule, pass.Ready.Reason, pass.Ready.Message);
            if (pass.Ready.Reason != ScheduleReasons.RunCreationFailed)
            {
                // A refused create was logged where it happened, with the API's status: an API error is logged once.
                LogNotReady(logger, schedule.Key(), pass.Ready.Reason, pass.Ready.Message);
            }
        }

        status = WithConditions(pass.Status, schedule, now, pass.Valid, pass.Ready);
        status = WithRuns(status, pass.Runs);
        var wake = pass.Wake;
        if (pruner is not null && pass.Valid.IsTrue && !ScheduleReadiness.IsRefusal(pass.Ready.Reason))
        {
            var zone = CronSchedule.Parse(spec.Schedule, spec.TimeZone).Schedule?.TimeZone ?? TimeZoneInfo.Utc;
            var step = await pruner.StepAsync(schedule, newestSucceeded, zone, cancellationToken);
            status = WithRetention(status, schedule, now, step);
            wake = Sooner(wake, step.WakeAfter);
        }

        await WriteStatusAsync(schedule, old, status, cancellationToken);
        metrics?.Observe(schedule.Metadata.Namespace ?? "", schedule.Metadata.Name!, status.LastSuccessfulTime, status.NextScheduleTime, PeriodAfter(spec, status.NextScheduleTime));
        return wake;
    }

    private static DataMoverScheduleStatus WithRetention(DataMoverScheduleStatus status, DataMoverSchedule schedule, DateTimeOffset now, Retention.RetentionStep step) =>
        status with
        {
            Retention = step.Status,
            Conditions = step.Condition is { } verdict
                ? ConditionSet.Set(status.Conditions, new Condition
                {
                    Type = Retention.RetentionReasons.Condition,
                    Status = verdict.Status,
                    Reason = verdict.Reason,
                    Message = verdict.Message,
                    ObservedGeneration = schedule.Metadata.Generation,
                }, now)
                : status.Conditions,
        };

    private static ReconcileResult Sooner(ReconcileResult result, TimeSpan? other) =>
        other is not { } delay ? result
        : result.RequeueAfter is { } current && current <= delay ? result
        : ReconcileResult.After(delay < MaxWait ? delay : MaxWait);

    /// <summary>The time between the next run and the one after it: the period an alert compares the last success with.</summary>
    private static TimeSpan? PeriodAfter(DataMoverScheduleSpec spec, DateTimeOffset? next) =>
        next is { } n && CronSchedule.Parse(spec.Schedule, spec.TimeZone).Schedule?.NextAfter(n) is { } after ? after - n : null;

    /// <summary>Everything a reconcile decides, before it is written: status fields, runs, both conditions and when to come back.</summary>
    private sealed record SchedulePass(DataMoverScheduleStatus Status, List<ScheduledRun> Runs, ConditionVerdict Valid, ConditionVerdict Ready, ReconcileResult Wake);

    private async Task<SchedulePass> RunPassAsync(
        DataMoverSchedule schedule, DataMoverScheduleSpec spec, DataMoverScheduleStatus old, DataMoverScheduleStatus status,
        List<ScheduledRun> runs, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var parsed = CronSchedule.Parse(spec.Schedule, spec.TimeZone);
        if (parsed.Schedule is not { } cron)
        {
            // Nothing to wake for: a spec change (a new generation) brings the schedule back.
            var invalid = ConditionVerdict.False(parsed.Reason!, parsed.Message!);
            return new SchedulePass(status with { NextScheduleTime = null }, runs, invalid, invalid, ReconcileResult.Done);
        }

        var valid = ConditionVerdict.True(ScheduleReasons.Valid, "schedule and time zone are valid");
        if (spec.Suspend == true)
        {
            return new SchedulePass(status with { NextScheduleTime = null }, runs, valid,
                ConditionVerdict.False(ScheduleReasons.Suspended, "spec.suspend is true: no runs are started"), ReconcileResult.Done);
        }

        if (ScheduleReadiness.Refused(admission, spec) is { } refused)
        {
            // No run is created: each would be refused the same way. A spec change (a new generation) brings it back.
            return new SchedulePass(status with { NextScheduleTime = null }, runs, valid, refused, ReconcileResult.Done);
        }

        var (plan, handledUpTo) = PlanFor(schedule, cron, now);
        if (IsResuming(old) && cron.LatestIn(handledUpTo, now) is { } passed)
        {
            // Times that passed while suspended or invalid are skipped, not replayed on resume (unlike CronJob).
            status = status with { LastSkippedTime = passed };
            plan = plan with { Due = null, MissedBeyondDeadline = null };
        }

        if (plan.MissedBeyondDeadline is { } missed)
        {
            events.Warning(schedule, ScheduleReasons.MissedSchedule,
                $"missed the run scheduled at {Rfc3339Converter.Format(missed)} by more than startingDeadlineSeconds ({spec.StartingDeadlineSeconds}s); not starting it");
            status = status with { LastSkippedTime = Max(status.LastSkippedTime, missed) };
        }

        var start = plan.Due is { } due
            ? await StartRunAsync(schedule, spec, due, status, runs, cancellationToken)
            : new RunStartResult(status, runs, RunStartOutcome.NotDue);
        var previousReady = ConditionSet.Find(old.Conditions, ScheduleReasons.ReadyCondition);
        var ready = ScheduleReadiness.Decide(start, ConcurrencyGate.Parse(spec.ConcurrencyPolicy), cron, now, previousReady);

        var wake = plan.Next is { } next ? next - time.GetUtcNow() : (TimeSpan?)null;
        if (start.Outcome == RunStartOutcome.Failed)
        {
            // The time stays due: come back after a backoff, or at the next time if that is sooner (it supersedes this one).
            var retry = CreationRetryDelay(previousReady, now);
            wake = wake is { } w && w < retry ? w : retry;
        }

        return new SchedulePass(start.Status with { NextScheduleTime = plan.Next }, start.Runs, valid, ready,
            wake is { } delay ? ReconcileResult.After(delay < MaxWait ? delay : MaxWait) : ReconcileResult.Done);
    }

    /// <summary>
    /// Backoff between attempts to create a refused run: as long as it has been failing, so it doubles from one second
    /// up to five minutes. "Failing since" is the Ready condition's last transition, which needs no memory beyond the
    /// status and survives restarts (if Ready was already False for another reason, the backoff starts longer).
    /// </summary>
    private static TimeSpan CreationRetryDelay(Condition? previousReady, DateTimeOffset now)
    {
        var failingFor = previousReady is { Status: "False", Reason: ScheduleReasons.RunCreationFailed, LastTransitionTime: { } since }
            ? now - since
            : TimeSpan.Zero;
        return failingFor < MinCreationRetry ? MinCreationRetry : failingFor > MaxCreationRetry ? MaxCreationRetry : failingFor;
    }

    private bool IsRunDue(DataMoverSchedule schedule, DateTimeOffset now) =>
        schedule.Spec is { Suspend: not true } spec
        && CronSchedule.Parse(spec.Schedule, spec.TimeZone).Schedule is { } cron
        && PlanFor(schedule, cron, now).Plan.Due is not null;

    private static (ScheduleRunPlan Plan, DateTimeOffset HandledUpTo) PlanFor(DataMoverSchedule schedule, CronSchedule cron, DateTimeOffset now)
    {
        var status = schedule.Status;
        var handledUpTo = Max(Max(schedule.Metadata.CreationTimestamp ?? now, status?.LastScheduleTime), status?.LastSkippedTime);
        return (ScheduleRunPlanner.Plan(cron, handledUpTo, schedule.Spec?.StartingDeadlineSeconds, now), handledUpTo);
    }

    /// <summary>True when the last status said the schedule could not run (suspended or invalid) and now it can.</summary>
    private static bool IsResuming(DataMoverScheduleStatus old) =>
        ConditionSet.Find(old.Conditions, ScheduleReasons.ReadyCondition) is { Status: "False" } ready
        && (ready.Reason is ScheduleReasons.Suspended or ScheduleReasons.InvalidSchedule or ScheduleReasons.InvalidTimeZone || ScheduleReadiness.IsRefusal(ready.Reason));

    private async Task<RunStartResult> StartRunAsync(
        DataMoverSchedule schedule, DataMoverScheduleSpec spec, DateTimeOffset due, DataMoverScheduleStatus status, List<ScheduledRun> runs, CancellationToken cancellationToken)
    {
        var run = ScheduledRunFactory.Build(schedule, due);
        var name = run.Metadata.Name!;
        if (runs.Any(r => r.Name == name))
        {
            // Created by an earlier pass whose status write was lost.
            return new RunStartResult(status with { LastScheduleTime = Max(status.LastScheduleTime, due) }, runs, RunStartOutcome.Started);
        }

        var active = runs.Where(r => r.State == RunState.Active).ToList();
        var policy = ConcurrencyGate.Parse(spec.ConcurrencyPolicy);
        switch (ConcurrencyGate.Decide(policy, active.Count))
        {
            case ConcurrencyDecision.Skip:
                events.Normal(schedule, ScheduleReasons.RunSkipped,
                    $"skipped the run scheduled at {Rfc3339Converter.Format(due)}: {string.Join(", ", active.Select(a => $"{a.Name} ({ScheduleReadiness.Describe(a)})"))} still active (concurrencyPolicy Forbid)");
                return new RunStartResult(status with { LastSkippedTime = Max(status.LastSkippedTime, due) }, runs, RunStartOutcome.Skipped);
            case ConcurrencyDecision.ReplaceActive:
                foreach (var a in active)
                {
                    await store.DeleteRunAsync(a.Mover, cancellationToken);
                    events.Normal(schedule, ScheduleReasons.RunReplaced, $"deleted active run {a.Name} to replace it with {name} (concurrencyPolicy Replace)");
                }

                runs = runs.Except(active).ToList();
                break;
        }

        Api.DataMover? created;
        try
        {
            created = await store.CreateRunAsync(run, cancellationToken);
        }
        catch (KubeApiException e)
        {
            // Refused (RBAC, an invalid template, a terminating namespace, an overloaded server): the time stays due
            // and is retried with backoff; the caller reports it. e.Message carries the API's own words, which for
            // RBAC name the verb, the resource and the account.
            LogCreateFailed(logger, schedule.Key(), name, due, (int)e.StatusCode, e.Reason ?? e.StatusCode.ToString(), e.Status.Message ?? "");
            return new RunStartResult(status, runs, RunStartOutcome.Failed,
                $"cannot create DataMover {name} for the run scheduled at {Rfc3339Converter.Format(due)}: {e.Message}");
        }

        if (created is not null)
        {
            runs = [.. runs, ScheduledRun.From(created)];
            events.Normal(schedule, ScheduleReasons.RunCreated, $"created DataMover {name} for {Rfc3339Converter.Format(due)}");
            LogCreated(logger, schedule.Key(), name, due);
        }

        return new RunStartResult(status with { LastScheduleTime = Max(status.LastScheduleTime, due) }, runs, RunStartOutcome.Started);
    }

    private async Task<List<ScheduledRun>> PruneHistoryAsync(DataMoverSchedule schedule, DataMoverScheduleSpec spec, List<ScheduledRun> runs, CancellationToken cancellationToken)
    {
        var excess = HistoryPruner.Select(
            runs,
            spec.SuccessfulJobsHistoryLimit ?? HistoryPruner.DefaultSuccessfulLimit,
            spec.FailedJobsHistoryLimit ?? HistoryPruner.DefaultFailedLimit);
        foreach (var run in excess)
        {
            await store.DeleteRunAsync(run.Mover, cancellationToken);
            LogPruned(logger, schedule.Key(), run.Name, run.State.ToString());
        }

        return excess.Count == 0 ? runs : runs.Except(excess).ToList();
    }

    private static DataMoverScheduleStatus WithRuns(DataMoverScheduleStatus status, List<ScheduledRun> runs)
    {
        var active = runs.Where(r => r.State == RunState.Active).OrderBy(r => r.ScheduledTime).ToList();
        var lastSuccess = runs.Where(r => r.State == RunState.Succeeded)
            .Select(r => r.Mover.Status?.CompletionTime ?? r.ScheduledTime)
            .Aggregate(status.LastSuccessfulTime, (max, t) => Max(max, t));
        return status with
        {
            // No resourceVersion in the references: it changes with every status update of the run and would churn ours.
            Active = active.Count == 0 ? null : active.Select(r => new ObjectReference
            {
                ApiVersion = DataMoverResources.ApiVersion,
                Kind = "DataMover",
                Namespace = r.Mover.Metadata.Namespace,
                Name = r.Name,
                Uid = r.Mover.Metadata.Uid,
            }).ToList(),
            ActiveJobs = active.Count,
            SuccessfulJobs = runs.Count(r => r.State == RunState.Succeeded),
            FailedJobs = runs.Count(r => r.State == RunState.Failed),
            LastSuccessfulTime = lastSuccess,
        };
    }

    private static DataMoverScheduleStatus WithConditions(
        DataMoverScheduleStatus status, DataMoverSchedule schedule, DateTimeOffset now, ConditionVerdict valid, ConditionVerdict ready)
    {
        var conditions = status.Conditions;
        foreach (var (type, verdict) in new[] { (ScheduleReasons.ScheduleValidCondition, valid), (ScheduleReasons.ReadyCondition, ready) })
        {
            conditions = ConditionSet.Set(conditions, new Condition
            {
                Type = type,
                Status = verdict.Status,
                Reason = verdict.Reason,
                Message = verdict.Message,
                ObservedGeneration = schedule.Metadata.Generation,
            }, now);
        }

        return status with { Conditions = conditions };
    }

    private async Task WriteStatusAsync(DataMoverSchedule schedule, DataMoverScheduleStatus old, DataMoverScheduleStatus status, CancellationToken cancellationToken)
    {
        // Records compare lists by reference; the wire form is what matters (and is second-precision).
        if (Serialize(old) == Serialize(status))
        {
            return;
        }

        await store.UpdateStatusAsync(schedule, status, cancellationToken);
    }

    private static string Serialize(DataMoverScheduleStatus status) =>
        JsonSerializer.Serialize(status, OperatorJsonContext.Default.DataMoverScheduleStatus);

    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a > b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset? b) => b is { } v && v > a ? v : a;

    [LoggerMessage(Level = LogLevel.Information, Message = "{Key}: created run {Run} scheduled at {ScheduledTime}")]
    private static partial void LogCreated(ILogger logger, string key, string run, DateTimeOffset scheduledTime);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Key}: could not create run {Run} scheduled at {ScheduledTime}; retrying with backoff: API error {StatusCode} {Reason}: {Error}")]
    private static partial void LogCreateFailed(ILogger logger, string key, string run, DateTimeOffset scheduledTime, int statusCode, string reason, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Key}: not ready: {Reason}: {Message}")]
    private static partial void LogNotReady(ILogger logger, string key, string reason, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Key}: deleted {State} run {Run} beyond the history limit")]
    private static partial void LogPruned(ILogger logger, string key, string run, string state);
}
