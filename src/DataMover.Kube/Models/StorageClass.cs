namespace DataMover.Kube.Models;

/// <summary>storage.k8s.io/v1 StorageClass.</summary>
public sealed record StorageClass : KubeObject
{
    public string Provisioner { get; init; } = "";
    public IReadOnlyDictionary<string, string>? Parameters { get; init; }
    public string? ReclaimPolicy { get; init; }
    public string? VolumeBindingMode { get; init; }
    public bool? AllowVolumeExpansion { get; init; }
}
