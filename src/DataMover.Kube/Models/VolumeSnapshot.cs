namespace DataMover.Kube.Models;

/// <summary>snapshot.storage.k8s.io/v1 VolumeSnapshot.</summary>
public sealed record VolumeSnapshot : KubeObject
{
    public VolumeSnapshotSpec? Spec { get; init; }
    public VolumeSnapshotStatus? Status { get; init; }
}

/// <summary>snapshot.storage.k8s.io/v1 VolumeSnapshotSpec.</summary>
public sealed record VolumeSnapshotSpec : KubeModel
{
    public VolumeSnapshotSource? Source { get; init; }
    public string? VolumeSnapshotClassName { get; init; }
}

/// <summary>snapshot.storage.k8s.io/v1 VolumeSnapshotSource.</summary>
public sealed record VolumeSnapshotSource : KubeModel
{
    public string? PersistentVolumeClaimName { get; init; }
    public string? VolumeSnapshotContentName { get; init; }
}

/// <summary>snapshot.storage.k8s.io/v1 VolumeSnapshotStatus.</summary>
public sealed record VolumeSnapshotStatus : KubeModel
{
    public string? BoundVolumeSnapshotContentName { get; init; }
    public DateTimeOffset? CreationTime { get; init; }
    public bool? ReadyToUse { get; init; }
    public string? RestoreSize { get; init; }
    public VolumeSnapshotError? Error { get; init; }
}

/// <summary>snapshot.storage.k8s.io/v1 VolumeSnapshotError.</summary>
public sealed record VolumeSnapshotError : KubeModel
{
    public string? Message { get; init; }
    public DateTimeOffset? Time { get; init; }
}
