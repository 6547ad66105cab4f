namespace DataMover.Kube.Models;

/// <summary>A list response (<c>PodList</c>, <c>DataMoverList</c>, ...).</summary>
public sealed record KubeList<T> : KubeModel where T : KubeObject
{
    public string? ApiVersion { get; init; }
    public string? Kind { get; init; }
    public ListMeta Metadata { get; init; } = new();
    public IReadOnlyList<T> Items { get; init; } = [];
}
