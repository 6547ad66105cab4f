namespace DataMover.Kube.Models;

/// <summary>core/v1 ConfigMap.</summary>
public sealed record ConfigMap : KubeObject
{
    public IReadOnlyDictionary<string, string>? Data { get; init; }
    public IReadOnlyDictionary<string, string>? BinaryData { get; init; }
    public bool? Immutable { get; init; }
}
