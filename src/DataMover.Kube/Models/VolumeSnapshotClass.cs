namespace DataMover.Kube.Models;

/// <summary>snapshot.storage.k8s.io/v1 VolumeSnapshotClass (cluster-scoped; driver and deletionPolicy at the top level).</summary>
public sealed record VolumeSnapshotClass : KubeObject
{
    public string Driver { get; init; } = "";
    public string? DeletionPolicy { get; init; }
    public IReadOnlyDictionary<string, string>? Parameters { get; init; }
}
