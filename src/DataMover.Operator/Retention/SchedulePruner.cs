using System.Globalization;
using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;
using DataMover.Operator.Events;
using DataMover.Operator.Scheduling;
using DataMover.Operator.Security;

namespace DataMover.Operator.Retention;

/// <summary>
/// Applies a schedule's spec.retention after each successful run, in two mover Jobs owned by the schedule: the list
/// pass reports the folders under the schedule's path, <see cref="RetentionPlanner"/> decides, and the delete pass
/// deletes the folders the policy no longer keeps (a dry run stops after the list). Level-triggered: the Jobs' names
/// derive from the run (<see cref="RetentionJobNamer"/>) and the Jobs stay until status.retention.lastRun records
/// the run, so a restart adopts them and a lost status write repeats nothing but a listing. One prune per schedule at
/// a time: a new run waits for the prune of the previous one.
/// </summary>
internal sealed partial class SchedulePruner
{
    /// <summary>A prune Job's activeDeadlineSeconds: listing and deleting a schedule's folders, not copying a volume.</summary>
    public static readonly TimeSpan JobDeadline = TimeSpan.FromMinutes(30);

    /// <summary>How long past its deadline the operator waits for the job controller to fail a prune Job itself.</summary>
    private static readonly TimeSpan JobDeadlineGrace = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan CachesSyncRetry = TimeSpan.FromSeconds(5);

    /// <summary>The most folder names an event lists.</summary>
    private const int NamedInEvent = 10;

    private readonly SchedulePrunerContext _context;
    private readonly OwnedObjects<Job> _listJobs;
    private readonly OwnedObjects<Job> _deleteJobs;
    private readonly ResourceClient<DataMoverSchedule> _schedules;
    private readonly ResourceClient<Pod> _pods;
    private readonly MoverServiceAccounts _serviceAccounts;
    private readonly IEventSink _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public SchedulePruner(SchedulePrunerContext context, IEventSink events, TimeProvider time, ILogger logger)
    {
        _context = context;
        // One create-or-adopt per pass: OwnedObjects adopts a schedule's one Job of a component under another name.
        _listJobs = new OwnedObjects<Job>(context.Client.Resource(KubeResources.Jobs), context.Jobs, PruneJobBuilder.ListComponent);
        _deleteJobs = new OwnedObjects<Job>(context.Client.Resource(KubeResources.Jobs), context.Jobs, PruneJobBuilder.DeleteComponent);
        _serviceAccounts = new MoverServiceAccounts(context.Client, context.ServiceAccounts);
        _schedules = context.Client.Resource(DataMoverResources.Schedules);
        _pods = context.Client.Resource(KubeResources.Pods);
        _events = events;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Moves the prune that follows <paramref name="newestSucceeded"/> (the schedule's newest successful run) one
    /// step on, and says what to write. Without spec.retention it removes any prune Job left and changes nothing.
    /// </summary>
    public async Task<RetentionStep> StepAsync(DataMoverSchedule schedule, Api.DataMover? newestSucceeded, TimeZoneInfo timeZone, CancellationToken ct)
    {
        var status = schedule.Status?.Retention;
        if (!_context.Jobs.HasSynced || !_context.Pods.HasSynced || !_context.Restores.HasSynced)
        {
            // The schedule loop starts on its own caches; deciding on these before they list could miss a prune Job or
            // a restore. Nothing signals their sync to this loop, so look again shortly.
            return new RetentionStep(status, null, CachesSyncRetry);
        }

        var owned = _listJobs.OwnedBy(schedule).Concat(_deleteJobs.OwnedBy(schedule)).Where(j => PruneJobBuilder.IsPruneJobOf(j, schedule)).ToList();
        if (schedule.Spec?.Retention is not { } policy)
        {
            foreach (var job in owned)
            {
                await _listJobs.DeleteAsync(job, "Background", ct);
            }

            return RetentionStep.Unchanged(status);
        }

        // The Jobs of a prune whose outcome status already records are done with.
        foreach (var job in owned.Where(j => RunOf(j) == status?.LastRun).ToList())
        {
            await _listJobs.DeleteAsync(job, "Background", ct);
            owned.Remove(job);
        }

        var run = owned.Select(RunOf).OfType<string>().Order(StringComparer.Ordinal).FirstOrDefault()
            ?? (newestSucceeded?.Metadata.Name is { } newest && newest != status?.LastRun ? newest : null);
        if (run is null)
        {
            return RetentionStep.Unchanged(status);
        }

        var name = schedule.Metadata.Name!;
        var deleteJob = owned.FirstOrDefault(j => j.Metadata.Name == RetentionJobNamer.PruneName(name, run));
        if (deleteJob is not null)
        {
            return await ObserveAsync(schedule, run, deleteJob, (result, now) => Pruned(schedule, policy, timeZone, run, FoldersOf(deleteJob), result, now), ct);
        }

        var listJob = owned.FirstOrDefault(j => j.Metadata.Name == RetentionJobNamer.ListName(name, run));
        if (listJob is not null)
        {
            return await ObserveAsync(schedule, run, listJob, (result, now) => Listed(schedule, policy, timeZone, run, result, now, ct), ct);
        }

        return await StartAsync(schedule, run, RetentionJobNamer.ListName(name, run), null, ct);
    }

    /// <summary>The list pass is done: decide, then finish (dry run, nothing to delete) or start the delete pass.</summary>
    private async Task<RetentionStep> Listed(DataMoverSchedule schedule, RetentionPolicy policy, TimeZoneInfo timeZone, string run, PruneResult result, DateTimeOffset now, CancellationToken ct)
    {
        var plan = new RetentionPlanner(timeZone).Plan(policy, schedule.Metadata.Uid!, result.Listing());
        var status = schedule.Status?.Retention;
        var kept = Kept(status, plan, run, now);
        if (policy.DryRun == true)
        {
            var would = plan.Delete.Select(b => b.Folder).Concat(plan.FinishInterrupted).ToList();
            var message = $"dry run after {run}: would delete {Describe(would)}; keeps {plan.Keep.Count}";
            return Done(schedule, kept with { Pruned = 0, WouldPrune = would }, ConditionVerdict.True(RetentionReasons.DryRun, message), message);
        }

        var folders = plan.Delete.Select(b => b.Folder).Concat(plan.FinishInterrupted).Distinct(StringComparer.Ordinal).ToList();
        if (folders.Count == 0)
        {
            var message = $"after {run}: nothing to delete; keeps {plan.Keep.Count}";
            return Done(schedule, kept with { Pruned = 0, WouldPrune = null }, ConditionVerdict.True(RetentionReasons.Pruned, message), null);
        }

        return await StartAsync(schedule, run, RetentionJobNamer.PruneName(schedule.Metadata.Name!, run), folders, ct);
    }

    /// <summary>The delete pass is done: its listing (taken after the deletes) is what is kept now.</summary>
    private Task<RetentionStep> Pruned(DataMoverSchedule schedule, RetentionPolicy policy, TimeZoneInfo timeZone, string run, IReadOnlyList<string> named, PruneResult result, DateTimeOffset now)
    {
        var plan = new RetentionPlanner(timeZone).Plan(policy, schedule.Metadata.Uid!, result.Listing());
        var pruned = result.Pruned ?? 0;
        var message = $"after {run}: deleted {pruned} backup(s) of {Describe(named)}; keeps {plan.Keep.Count}, the oldest {plan.OldestKept?.Folder ?? "none"}";
        var kept = Kept(schedule.Status?.Retention, plan, run, now) with { Pruned = pruned, WouldPrune = null };
        return Task.FromResult(Done(schedule, kept, ConditionVerdict.True(RetentionReasons.Pruned, message), message));
    }

    private static RetentionStatus Kept(RetentionStatus? status, RetentionPlan plan, string run, DateTimeOffset now) =>
        (status ?? new RetentionStatus()) with
        {
            Kept = plan.Keep.Count,
            OldestKept = plan.OldestKept?.Folder,
            OldestKeptTime = plan.OldestKept?.StartTime,
            LastPruneTime = now,
            LastRun = run,
        };

    private RetentionStep Done(DataMoverSchedule schedule, RetentionStatus status, ConditionVerdict condition, string? eventMessage)
    {
        if (eventMessage is not null)
        {
            _events.Normal(schedule, condition.Reason == RetentionReasons.DryRun ? RetentionReasons.DryRun : RetentionReasons.Pruned, eventMessage);
        }

        LogDone(_logger, schedule.Key(), condition.Reason, condition.Message);
        return new RetentionStep(status, condition, null);
    }

    /// <summary>Creates (or adopts) a pass's Job unless a restore reads from under the schedule's path.</summary>
    private async Task<RetentionStep> StartAsync(DataMoverSchedule schedule, string run, string jobName, IReadOnlyList<string>? folders, CancellationToken ct)
    {
        var status = schedule.Status?.Retention;
        var ns = schedule.Metadata.Namespace!;
        var blocking = PruneRestoreGate.RestoresBlocking(schedule, _context.Restores.List(ns), dm => _context.DataMovers.Get(ns, dm));
        if (blocking.Count > 0)
        {
            var message = $"the prune after {run} waits for DataMoverRestore {string.Join(", ", blocking)} to finish: it may read a backup the prune would delete";
            var previous = ConditionSet.Find(schedule.Status?.Conditions, RetentionReasons.Condition);
            if (previous?.Reason != RetentionReasons.PruneWaitingForRestore)
            {
                _events.Normal(schedule, RetentionReasons.PruneWaitingForRestore, message);
                LogWaiting(_logger, schedule.Key(), run, string.Join(", ", blocking));
            }

            // A restore that finishes wakes the schedule (ScheduleController); no timer.
            return new RetentionStep(status, ConditionVerdict.False(RetentionReasons.PruneWaitingForRestore, message), null);
        }

        var settings = MoverPodSettingsResolver.Resolve(_context.MoverPodDefaults, schedule.Spec?.MoverPod);
        if (string.IsNullOrEmpty(settings.ServiceAccountName))
        {
            await _serviceAccounts.EnsureAsync(ns, ct);
        }

        Ensured<Job> ensured;
        try
        {
            ensured = await (folders is null ? _listJobs : _deleteJobs).EnsureAsync(schedule, jobName,
                n => PruneJobBuilder.Build(schedule, new PruneJobPlan(n, run, folders, _context.MoverImage, JobDeadline, settings)).Job, ct);
        }
        catch (KubeApiException e) when (e.IsInvalid || e.IsForbidden)
        {
            return Fail(schedule, run, $"cannot create prune Job {jobName}: {e.Status.Message ?? e.Message}");
        }

        if (ensured.Outcome == EnsureOutcome.NameTaken)
        {
            return Fail(schedule, run, $"Job {jobName} exists and is not this schedule's prune Job");
        }

        if (ensured.Outcome == EnsureOutcome.OwnedElsewhere)
        {
            // Another prune of this schedule the cache had not shown yet: it goes first (one at a time).
            return new RetentionStep(status, null, null);
        }

        if (ensured.Outcome == EnsureOutcome.Created)
        {
            LogCreated(_logger, schedule.Key(), jobName, folders is null ? "lists the backups" : $"deletes {folders.Count} folder(s)");
        }

        var what = folders is null ? "listing the backups" : $"deleting {Describe(folders)}";
        return new RetentionStep(status, new ConditionVerdict("Unknown", RetentionReasons.Pruning, $"prune after {run}: Job {jobName} is {what}"), JobDeadline + JobDeadlineGrace);
    }

    /// <summary>Follows one pass's Job: its verified result goes to <paramref name="done"/>; a failure, a bad result or its deadline fail the prune.</summary>
    private async Task<RetentionStep> ObserveAsync(DataMoverSchedule schedule, string run, Job job, Func<PruneResult, DateTimeOffset, Task<RetentionStep>> done, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var jobName = job.Metadata.Name!;
        var pods = job.Metadata.Uid is { } uid ? _context.Pods.ByIndex(Kube.Runtime.IndexFuncs.ControllerUid, uid) : [];
        var path = BucketPath.Normalize(schedule.Spec?.Path);
        if ((Finished(job, "Complete") || Finished(job, "Failed")) && await AlreadyRecordedAsync(schedule, run, ct))
        {
            // The cache lags our own status write: the outcome is recorded, the Jobs go on the next pass.
            return RetentionStep.Unchanged(schedule.Status?.Retention);
        }

        if (Finished(job, "Complete"))
        {
            var message = PodDiagnostics.TerminationMessage(pods, failed: false)
                ?? PodDiagnostics.TerminationMessage(await LivePodsAsync(schedule, job, ct), failed: false);
            if (message is null)
            {
                return Fail(schedule, run, $"prune Job {jobName} completed without a termination message from its pod; nothing is decided on it");
            }

            var (result, problem) = PruneResult.Verify(message, path);
            return result is null
                ? Fail(schedule, run, $"prune Job {jobName} exited 0 but {problem}; nothing is decided on it: \"{PodDiagnostics.Quote(message)}\"")
                : await done(result, now);
        }

        if (Finished(job, "Failed"))
        {
            var message = PodDiagnostics.TerminationMessage(pods, failed: true)
                ?? PodDiagnostics.TerminationMessage(await LivePodsAsync(schedule, job, ct), failed: true)
                ?? "prune Job failed";
            return Fail(schedule, run, $"prune Job {jobName} failed: {PodDiagnostics.Quote(message)}; the next successful run retries");
        }

        var due = (job.Metadata.CreationTimestamp ?? now) + JobDeadline + JobDeadlineGrace;
        if (now >= due)
        {
            await _listJobs.DeleteAsync(job, "Background", ct);
            return Fail(schedule, run, $"prune Job {jobName} did not finish within {KubeDuration.Format(JobDeadline)}; the next successful run retries");
        }

        return new RetentionStep(schedule.Status?.Retention, new ConditionVerdict("Unknown", RetentionReasons.Pruning, $"prune after {run}: Job {jobName} is running"), due - now);
    }

    /// <summary>The Job's pods read from the API server, once, at the end (the pod informer may lag the Job's).</summary>
    private async Task<IReadOnlyList<Pod>> LivePodsAsync(DataMoverSchedule schedule, Job job, CancellationToken ct)
    {
        var list = await _pods.ListAsync(schedule.Metadata.Namespace, new ListOptions { LabelSelector = $"{PruneJobBuilder.ScheduleUidLabel}={schedule.Metadata.Uid}" }, ct);
        return [.. list.Items.Where(p => p.Metadata.ControllerReference()?.Uid == job.Metadata.Uid)];
    }

    /// <summary>True when the API server's schedule already records the outcome of the prune after <paramref name="run"/>.</summary>
    private async Task<bool> AlreadyRecordedAsync(DataMoverSchedule schedule, string run, CancellationToken ct)
    {
        var live = await _schedules.TryGetAsync(schedule.Metadata.Namespace, schedule.Metadata.Name!, ct);
        return live?.Metadata.Uid == schedule.Metadata.Uid && live?.Status?.Retention?.LastRun == run;
    }

    /// <summary>A failed prune deletes nothing more; it is recorded as done with, so the next successful run tries again.</summary>
    private RetentionStep Fail(DataMoverSchedule schedule, string run, string message)
    {
        _events.Warning(schedule, RetentionReasons.RetentionFailed, message);
        LogFailed(_logger, schedule.Key(), run, message);
        var status = (schedule.Status?.Retention ?? new RetentionStatus()) with { LastRun = run };
        return new RetentionStep(status, ConditionVerdict.False(RetentionReasons.RetentionFailed, message), null);
    }

    /// <summary>The folders a delete pass was told to delete (its Job's annotation; the cache has no pod template).</summary>
    private static IReadOnlyList<string> FoldersOf(Job job) =>
        job.Metadata.Annotation(PruneJobBuilder.FoldersAnnotation)?.Split('\n', StringSplitOptions.RemoveEmptyEntries) ?? [];

    private static string? RunOf(Job job) => job.Metadata.Annotation(PruneJobBuilder.RunAnnotation);

    private static bool Finished(Job job, string type) =>
        (job.Status?.Conditions ?? []).Any(c => c.Type == type && c.Status == "True");

    private static string Describe(IReadOnlyList<string> folders) =>
        folders.Count == 0 ? "nothing"
        : string.Join(", ", folders.Take(NamedInEvent)) + (folders.Count > NamedInEvent ? $" and {(folders.Count - NamedInEvent).ToString(CultureInfo.InvariantCulture)} more" : "");

    [LoggerMessage(Level = LogLevel.Information, Message = "{Key}: created prune Job {Job} ({Pass})")]
    private static partial void LogCreated(ILogger logger, string key, string job, string pass);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Key}: retention {Reason}: {Message}")]
    private static partial void LogDone(ILogger logger, string key, string reason, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Key}: the prune after {Run} waits for restores {Restores}")]
    private static partial void LogWaiting(ILogger logger, string key, string run, string restores);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Key}: the prune after {Run} failed: {Message}")]
    private static partial void LogFailed(ILogger logger, string key, string run, string message);
}
