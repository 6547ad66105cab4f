namespace DataMover.Kube.Models;

/// <summary>core/v1 Namespace.</summary>
public sealed record Namespace : KubeObject
{
    public NamespaceSpec? Spec { get; init; }
    public NamespaceStatus? Status { get; init; }
}

/// <summary>core/v1 NamespaceSpec.</summary>
public sealed record NamespaceSpec : KubeModel
{
    public IReadOnlyList<string>? Finalizers { get; init; }
}

/// <summary>core/v1 NamespaceStatus.</summary>
public sealed record NamespaceStatus : KubeModel
{
    public string? Phase { get; init; }
}
