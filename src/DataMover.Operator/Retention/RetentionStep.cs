using DataMover.Operator.Api;
using DataMover.Operator.Scheduling;

namespace DataMover.Operator.Retention;

/// <summary>What one reconcile of a schedule's retention decided: its status, its condition and when to look again.</summary>
/// <param name="Status">status.retention to write.</param>
/// <param name="Condition">The Retention condition; null leaves it as it is.</param>
/// <param name="WakeAfter">A bound to wait on (a prune Job's deadline); null when only a change can move it on.</param>
internal sealed record RetentionStep(RetentionStatus? Status, ConditionVerdict? Condition, TimeSpan? WakeAfter)
{
    public static RetentionStep Unchanged(RetentionStatus? status) => new(status, null, null);
}
