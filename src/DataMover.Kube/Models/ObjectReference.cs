namespace DataMover.Kube.Models;

/// <summary>core/v1 ObjectReference.</summary>
public sealed record ObjectReference : KubeModel
{
    public string? ApiVersion { get; init; }
    public string? Kind { get; init; }
    public string? Namespace { get; init; }
    public string? Name { get; init; }
    public string? Uid { get; init; }
    public string? ResourceVersion { get; init; }
    public string? FieldPath { get; init; }

    /// <summary>A reference to <paramref name="obj"/>.</summary>
    public static ObjectReference To(KubeObject obj) => new()
    {
        ApiVersion = obj.ApiVersion,
        Kind = obj.Kind,
        Namespace = obj.Metadata.Namespace,
        Name = obj.Metadata.Name,
        Uid = obj.Metadata.Uid,
        ResourceVersion = obj.Metadata.ResourceVersion,
    };
}
