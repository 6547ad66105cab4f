using DataMover.Kube.Models;

namespace DataMover.Operator.Api;

/// <summary>Observed state of a DataMoverSchedule.</summary>
public sealed record DataMoverScheduleStatus : KubeModel
{
    public DateTimeOffset? LastScheduleTime { get; init; }
    public DateTimeOffset? LastSuccessfulTime { get; init; }
    public DateTimeOffset? NextScheduleTime { get; init; }
    /// <summary>The latest scheduled time deliberately not run (concurrency Forbid, missed deadline, suspended); it is never replayed.</summary>
    public DateTimeOffset? LastSkippedTime { get; init; }
    public IReadOnlyList<ObjectReference>? Active { get; init; }
    public int? ActiveJobs { get; init; }
    public int? SuccessfulJobs { get; init; }
    public int? FailedJobs { get; init; }
    public IReadOnlyList<Condition>? Conditions { get; init; }
    public long? ObservedGeneration { get; init; }
    /// <summary>What the latest prune of the schedule's backups kept and deleted; unset without spec.retention.</summary>
    public RetentionStatus? Retention { get; init; }
}
