namespace DataMover.Kube.Models;

/// <summary>metav1.ListMeta.</summary>
public sealed record ListMeta : KubeModel
{
    public string? ResourceVersion { get; init; }
    public string? Continue { get; init; }
    public long? RemainingItemCount { get; init; }
}
