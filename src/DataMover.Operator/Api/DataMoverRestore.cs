using DataMover.Kube.Models;

namespace DataMover.Operator.Api;

/// <summary>datamover.a-cup-of.coffee/v1alpha1 DataMoverRestore: one restore of a backup into a PVC.</summary>
public sealed record DataMoverRestore : KubeObject
{
    public DataMoverRestoreSpec? Spec { get; init; }
    public DataMoverRestoreStatus? Status { get; init; }
}
