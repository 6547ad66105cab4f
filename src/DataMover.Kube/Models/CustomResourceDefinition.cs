using System.Text.Json;

namespace DataMover.Kube.Models;

/// <summary>apiextensions.k8s.io/v1 CustomResourceDefinition; schemas are kept as raw JSON.</summary>
public sealed record CustomResourceDefinition : KubeObject
{
    public CustomResourceDefinitionSpec? Spec { get; init; }
    public CustomResourceDefinitionStatus? Status { get; init; }
}

/// <summary>apiextensions.k8s.io/v1 CustomResourceDefinitionSpec.</summary>
public sealed record CustomResourceDefinitionSpec : KubeModel
{
    public string Group { get; init; } = "";
    public CustomResourceDefinitionNames Names { get; init; } = new();
    public string Scope { get; init; } = "";
    public IReadOnlyList<CustomResourceDefinitionVersion> Versions { get; init; } = [];
}

/// <summary>apiextensions.k8s.io/v1 CustomResourceDefinitionNames.</summary>
public sealed record CustomResourceDefinitionNames : KubeModel
{
    public string Plural { get; init; } = "";
    public string? Singular { get; init; }
    public string Kind { get; init; } = "";
    public string? ListKind { get; init; }
    public IReadOnlyList<string>? ShortNames { get; init; }
    public IReadOnlyList<string>? Categories { get; init; }
}

/// <summary>apiextensions.k8s.io/v1 CustomResourceDefinitionVersion.</summary>
public sealed record CustomResourceDefinitionVersion : KubeModel
{
    public string Name { get; init; } = "";
    public bool Served { get; init; }
    public bool Storage { get; init; }
    public JsonElement? Schema { get; init; }
    public JsonElement? Subresources { get; init; }
    public JsonElement? AdditionalPrinterColumns { get; init; }
}

/// <summary>apiextensions.k8s.io/v1 CustomResourceDefinitionStatus.</summary>
public sealed record CustomResourceDefinitionStatus : KubeModel
{
    public IReadOnlyList<Condition>? Conditions { get; init; }
    public CustomResourceDefinitionNames? AcceptedNames { get; init; }
    public IReadOnlyList<string>? StoredVersions { get; init; }
}
