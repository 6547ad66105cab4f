namespace DataMover.Kube.Models;

/// <summary>metav1.LabelSelector.</summary>
public sealed record LabelSelector : KubeModel
{
    public IReadOnlyDictionary<string, string>? MatchLabels { get; init; }
    public IReadOnlyList<LabelSelectorRequirement>? MatchExpressions { get; init; }
}

/// <summary>metav1.LabelSelectorRequirement.</summary>
public sealed record LabelSelectorRequirement : KubeModel
{
    public string Key { get; init; } = "";
    public string Operator { get; init; } = "";
    public IReadOnlyList<string>? Values { get; init; }
}
