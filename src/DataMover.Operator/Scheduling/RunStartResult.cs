using DataMover.Operator.Api;

namespace DataMover.Operator.Scheduling;

/// <summary>The status and runs after handling a due time, what became of it and, when it failed, why.</summary>
internal sealed record RunStartResult(DataMoverScheduleStatus Status, List<ScheduledRun> Runs, RunStartOutcome Outcome, string? Failure = null);
