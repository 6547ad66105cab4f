namespace DataMover.Kube.Models;

/// <summary>A top-level Kubernetes object: apiVersion, kind and metadata.</summary>
public abstract record KubeObject : KubeModel
{
    public string? ApiVersion { get; init; }

    public string? Kind { get; init; }

    public ObjectMeta Metadata { get; init; } = new();

    /// <summary>The <c>namespace/name</c> key used by caches and work queues.</summary>
    public string Key() => ObjectKey.Of(Metadata.Namespace, Metadata.Name);
}
