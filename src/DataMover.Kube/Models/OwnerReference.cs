namespace DataMover.Kube.Models;

/// <summary>metav1.OwnerReference.</summary>
public sealed record OwnerReference : KubeModel
{
    public string ApiVersion { get; init; } = "";
    public string Kind { get; init; } = "";
    public string Name { get; init; } = "";
    public string Uid { get; init; } = "";
    public bool? Controller { get; init; }
    public bool? BlockOwnerDeletion { get; init; }

    /// <summary>A controller reference to <paramref name="owner"/>, as controller-runtime's SetControllerReference builds it.</summary>
    public static OwnerReference ControllerOf(KubeObject owner) => new()
    {
        ApiVersion = owner.ApiVersion ?? throw new ArgumentException("owner has no apiVersion", nameof(owner)),
        Kind = owner.Kind ?? throw new ArgumentException("owner has no kind", nameof(owner)),
        Name = owner.Metadata.Name ?? throw new ArgumentException("owner has no name", nameof(owner)),
        Uid = owner.Metadata.Uid ?? throw new ArgumentException("owner has no uid", nameof(owner)),
        Controller = true,
        BlockOwnerDeletion = true,
    };
}
