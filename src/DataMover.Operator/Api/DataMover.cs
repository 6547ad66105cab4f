using DataMover.Kube.Models;

namespace DataMover.Operator.Api;

/// <summary>datamover.a-cup-of.coffee/v1alpha1 DataMover: one backup of one PVC.</summary>
public sealed record DataMover : KubeObject
{
    public DataMoverSpec? Spec { get; init; }
    public DataMoverStatus? Status { get; init; }
}
