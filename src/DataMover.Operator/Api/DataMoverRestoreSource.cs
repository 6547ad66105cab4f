using DataMover.Kube.Models;

namespace DataMover.Operator.Api;

/// <summary>The backup to restore: a DataMover's, or a folder of a bucket (exactly one of the two).</summary>
public sealed record DataMoverRestoreSource : KubeModel
{
    /// <summary>A DataMover in the same namespace that succeeded: its folder under its spec.path, with its Secret.</summary>
    public string? FromDataMover { get; init; }
    /// <summary>The storage Secret; with fromDataMover it overrides the DataMover's.</summary>
    public string? SecretName { get; init; }
    /// <summary>A folder inside the bucket, a mirror-mode root, or ".../latest" ("latest"): the newest complete backup under the prefix before it.</summary>
    public string? Path { get; init; }
}
