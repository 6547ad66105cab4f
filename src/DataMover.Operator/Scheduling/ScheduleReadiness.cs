using DataMover.Kube.Json;
using DataMover.Kube.Models;

namespace DataMover.Operator.Scheduling;

/// <summary>
/// Decides the Ready condition of a valid, unsuspended schedule: whether it is doing its job, and if not, why.
/// Derived from what the cluster shows now wherever possible, so it is right after a restart too; only a failed
/// create is remembered (in the condition itself) until a run is started.
/// </summary>
internal static class ScheduleReadiness
{
    public static ConditionVerdict Decide(
        RunStartResult start, ConcurrencyPolicy policy, CronSchedule cron, DateTimeOffset now, Condition? previousReady)
    {
        if (start.Outcome == RunStartOutcome.Failed)
        {
            return ConditionVerdict.False(ScheduleReasons.RunCreationFailed, start.Failure ?? "");
        }

        if (policy == ConcurrencyPolicy.Forbid && FindOverrun(start.Runs, cron, now) is { } overrun)
        {
            return ConditionVerdict.False(ScheduleReasons.RunSkipped,
                $"DataMover {overrun.Run.Name} is still active ({Describe(overrun.Run)}), so the run scheduled at " +
                $"{Rfc3339Converter.Format(overrun.SkippedTime)} was skipped (concurrencyPolicy Forbid)");
        }

        // Nothing was tried since the last create failed (the time went past its deadline, say): still not working.
        if (start.Outcome == RunStartOutcome.NotDue && previousReady is { Status: "False", Reason: ScheduleReasons.RunCreationFailed } failed)
        {
            return ConditionVerdict.Of(failed);
        }

        return ConditionVerdict.True(ScheduleReasons.Scheduled, "");
    }

    /// <summary>Ready=False when the schedule's mover settings are refused (additionalEnv, image, moverPod): no run is started then.</summary>
    public static ConditionVerdict? Refused(Security.MoverAdmission? admission, Api.DataMoverScheduleSpec spec)
    {
        if (admission?.Check(spec.AdditionalEnv, spec.Image, spec.MoverPod) is { } refusal)
        {
            return ConditionVerdict.False(refusal.Reason, refusal.Message);
        }

        // Without a folder per run every run overwrites the one backup, and there is nothing to choose from.
        return spec.Retention is not null && spec.AddTimestampPrefix != true
            ? ConditionVerdict.False(ScheduleReasons.RetentionNeedsTimestampFolders,
                "spec.retention needs spec.addTimestampPrefix: true (a folder per run to keep or delete): no run is started")
            : null;
    }

    /// <summary>True for the reasons of a refused spec (see <see cref="Refused"/>).</summary>
    public static bool IsRefusal(string? reason) =>
        reason is Security.MoverAdmission.EnvNotAllowed or Security.MoverAdmission.ImageNotAllowed or Security.MoverAdmission.PodSettingsNotAllowed
            or ScheduleReasons.RetentionNeedsTimestampFolders;

    /// <summary>Ready=False reasons that need someone to act, so they are also a Warning event and a log line when they appear.</summary>
    public static bool IsWarning(string? reason) =>
        reason is ScheduleReasons.InvalidSchedule or ScheduleReasons.InvalidTimeZone or ScheduleReasons.RunCreationFailed || IsRefusal(reason);

    /// <summary>How an active run is doing, for messages: its phase and since when.</summary>
    public static string Describe(ScheduledRun run)
    {
        var status = run.Mover.Status;
        var created = run.Mover.Metadata.CreationTimestamp;
        if (string.IsNullOrEmpty(status?.Phase))
        {
            return created is { } c ? $"no phase yet, created {Rfc3339Converter.Format(c)}" : "no phase yet";
        }

        return (status.PhaseStartTime ?? status.StartTime ?? created) is { } since
            ? $"phase {status.Phase} since {Rfc3339Converter.Format(since)}"
            : $"phase {status.Phase}";
    }

    /// <summary>
    /// The oldest active run that a scheduled time has passed during, and the latest such time: under Forbid that
    /// time was skipped, and every later one will be while the run stays active.
    /// </summary>
    private static (ScheduledRun Run, DateTimeOffset SkippedTime)? FindOverrun(IEnumerable<ScheduledRun> runs, CronSchedule cron, DateTimeOffset now)
    {
        foreach (var run in runs.Where(r => r.State == RunState.Active).OrderBy(r => r.ScheduledTime))
        {
            if (cron.LatestIn(run.ScheduledTime, now) is { } skipped)
            {
                return (run, skipped);
            }
        }

        return null;
    }
}
