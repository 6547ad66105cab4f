namespace DataMover.Operator.Scheduling;

/// <summary>
/// Decides which scheduled time, if any, is due now, following the CronJob controller: of all occurrences
/// missed since the last one handled, only the most recent is run (never a flood of catch-up runs after an
/// outage), and only if it was missed by no more than startingDeadlineSeconds.
/// </summary>
internal static class ScheduleRunPlanner
{
    /// <param name="schedule">The parsed schedule.</param>
    /// <param name="handledUpTo">Occurrences up to and including this instant are done with (run, skipped, or before creation).</param>
    /// <param name="startingDeadlineSeconds">How late a run may still start; null for no limit.</param>
    /// <param name="now">The current time.</param>
    public static ScheduleRunPlan Plan(CronSchedule schedule, DateTimeOffset handledUpTo, long? startingDeadlineSeconds, DateTimeOffset now)
    {
        var earliest = handledUpTo;
        DateTimeOffset? missed = null;
        if (startingDeadlineSeconds is { } seconds)
        {
            // A run exactly startingDeadlineSeconds late may still start (CronJob: late only when t + deadline < now).
            var deadline = now - TimeSpan.FromSeconds(Math.Max(0, seconds));
            var tooLate = deadline - TimeSpan.FromTicks(1);
            if (earliest < tooLate)
            {
                missed = schedule.LatestIn(earliest, tooLate);
                earliest = tooLate;
            }
        }

        return new ScheduleRunPlan(schedule.LatestIn(earliest, now), schedule.NextAfter(now), missed);
    }
}
