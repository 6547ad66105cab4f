namespace DataMover.Kube.Models;

/// <summary>core/v1 PersistentVolumeClaim.</summary>
public sealed record PersistentVolumeClaim : KubeObject
{
    public PersistentVolumeClaimSpec? Spec { get; init; }
    public PersistentVolumeClaimStatus? Status { get; init; }
}

/// <summary>core/v1 PersistentVolumeClaimSpec.</summary>
public sealed record PersistentVolumeClaimSpec : KubeModel
{
    public IReadOnlyList<string>? AccessModes { get; init; }
    public LabelSelector? Selector { get; init; }
    public ResourceRequirements? Resources { get; init; }
    public string? VolumeName { get; init; }
    public string? StorageClassName { get; init; }
    public string? VolumeMode { get; init; }
    public TypedLocalObjectReference? DataSource { get; init; }
    public TypedObjectReference? DataSourceRef { get; init; }
}

/// <summary>core/v1 PersistentVolumeClaimStatus.</summary>
public sealed record PersistentVolumeClaimStatus : KubeModel
{
    public string? Phase { get; init; }
    public IReadOnlyList<string>? AccessModes { get; init; }
    public IReadOnlyDictionary<string, string>? Capacity { get; init; }
}

/// <summary>core/v1 TypedLocalObjectReference.</summary>
public sealed record TypedLocalObjectReference : KubeModel
{
    public string? ApiGroup { get; init; }
    public string Kind { get; init; } = "";
    public string Name { get; init; } = "";
}

/// <summary>core/v1 TypedObjectReference.</summary>
public sealed record TypedObjectReference : KubeModel
{
    public string? ApiGroup { get; init; }
    public string Kind { get; init; } = "";
    public string Name { get; init; } = "";
    public string? Namespace { get; init; }
}

/// <summary>core/v1 ResourceRequirements (quantities kept as strings; see <see cref="Quantity"/>).</summary>
public sealed record ResourceRequirements : KubeModel
{
    public IReadOnlyDictionary<string, string>? Requests { get; init; }
    public IReadOnlyDictionary<string, string>? Limits { get; init; }
}
