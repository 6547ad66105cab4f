namespace DataMover.Operator.Scheduling;

/// <summary>What the planner decided.</summary>
/// <param name="Due">The scheduled time to start a run for now, if any.</param>
/// <param name="Next">The next scheduled time after now (when to wake up), if any.</param>
/// <param name="MissedBeyondDeadline">The latest occurrence that was missed by more than startingDeadlineSeconds and will not run.</param>
internal sealed record ScheduleRunPlan(DateTimeOffset? Due, DateTimeOffset? Next, DateTimeOffset? MissedBeyondDeadline);
