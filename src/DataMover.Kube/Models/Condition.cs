namespace DataMover.Kube.Models;

/// <summary>metav1.Condition, the standard condition shape for custom resources.</summary>
public sealed record Condition : KubeModel
{
    public string Type { get; init; } = "";
    public string Status { get; init; } = "";
    public long? ObservedGeneration { get; init; }
    public DateTimeOffset? LastTransitionTime { get; init; }
    public string? Reason { get; init; }
    public string? Message { get; init; }
}
