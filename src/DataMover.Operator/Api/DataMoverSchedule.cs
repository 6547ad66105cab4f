using DataMover.Kube.Models;

namespace DataMover.Operator.Api;

/// <summary>datamover.a-cup-of.coffee/v1alpha1 DataMoverSchedule: creates DataMovers on a cron schedule.</summary>
public sealed record DataMoverSchedule : KubeObject
{
    public DataMoverScheduleSpec? Spec { get; init; }
    public DataMoverScheduleStatus? Status { get; init; }
}
