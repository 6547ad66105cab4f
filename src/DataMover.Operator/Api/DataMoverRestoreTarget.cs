using DataMover.Kube.Models;

namespace DataMover.Operator.Api;

/// <summary>The PVC to restore into: an existing one, or a new one (exactly one of the two).</summary>
public sealed record DataMoverRestoreTarget : KubeModel
{
    /// <summary>An existing PVC in the restore's namespace; the restore waits until no running pod mounts it.</summary>
    public string? PvcName { get; init; }
    /// <summary>A new PVC, created once and not owned by the restore: the restored data outlives it.</summary>
    public DataMoverRestorePvc? Pvc { get; init; }
}
