namespace DataMover.Kube.Models;

/// <summary>core/v1 PersistentVolume.</summary>
public sealed record PersistentVolume : KubeObject
{
    public PersistentVolumeSpec? Spec { get; init; }
    public PersistentVolumeStatus? Status { get; init; }
}

/// <summary>core/v1 PersistentVolumeSpec (the volume sources DataMover and the sandbox use).</summary>
public sealed record PersistentVolumeSpec : KubeModel
{
    public IReadOnlyDictionary<string, string>? Capacity { get; init; }
    public IReadOnlyList<string>? AccessModes { get; init; }
    public ObjectReference? ClaimRef { get; init; }
    public string? PersistentVolumeReclaimPolicy { get; init; }
    public string? StorageClassName { get; init; }
    public string? VolumeMode { get; init; }
    public HostPathVolumeSource? HostPath { get; init; }
    public CsiPersistentVolumeSource? Csi { get; init; }
}

/// <summary>core/v1 PersistentVolumeStatus.</summary>
public sealed record PersistentVolumeStatus : KubeModel
{
    public string? Phase { get; init; }
    public string? Message { get; init; }
    public string? Reason { get; init; }
}

/// <summary>core/v1 HostPathVolumeSource.</summary>
public sealed record HostPathVolumeSource : KubeModel
{
    public string Path { get; init; } = "";
    public string? Type { get; init; }
}

/// <summary>core/v1 CSIPersistentVolumeSource.</summary>
public sealed record CsiPersistentVolumeSource : KubeModel
{
    public string Driver { get; init; } = "";
    public string VolumeHandle { get; init; } = "";
    public IReadOnlyDictionary<string, string>? VolumeAttributes { get; init; }
}
