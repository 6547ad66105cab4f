using DataMover.Kube.Models;

namespace DataMover.Operator.Api;

/// <summary>The new PVC a restore creates.</summary>
public sealed record DataMoverRestorePvc : KubeModel
{
    /// <summary>Default: the restore's name.</summary>
    public string? Name { get; init; }
    /// <summary>Default: the cluster's default storage class.</summary>
    public string? StorageClassName { get; init; }
    /// <summary>Default: [ReadWriteOnce].</summary>
    public IReadOnlyList<string>? AccessModes { get; init; }
    /// <summary>Requested size; default with fromDataMover: the size of the DataMover's source PVC. Required otherwise.</summary>
    public string? Size { get; init; }
}
