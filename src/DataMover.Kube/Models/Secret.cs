namespace DataMover.Kube.Models;

/// <summary>core/v1 Secret. Values are base64 in <see cref="Data"/>; never log them.</summary>
public sealed record Secret : KubeObject
{
    public IReadOnlyDictionary<string, string>? Data { get; init; }
    public IReadOnlyDictionary<string, string>? StringData { get; init; }
    public string? Type { get; init; }
    public bool? Immutable { get; init; }
}
