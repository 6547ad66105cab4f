namespace DataMover.Kube.Models;

/// <summary>metav1.DeleteOptions.</summary>
public sealed record DeleteOptions : KubeModel
{
    public string ApiVersion { get; init; } = "v1";
    public string Kind { get; init; } = "DeleteOptions";
    /// <summary>Orphan, Background or Foreground.</summary>
    public string? PropagationPolicy { get; init; }
    public long? GracePeriodSeconds { get; init; }
    public Preconditions? Preconditions { get; init; }
    public IReadOnlyList<string>? DryRun { get; init; }

    public static DeleteOptions Background => new() { PropagationPolicy = "Background" };
    public static DeleteOptions Foreground => new() { PropagationPolicy = "Foreground" };
    public static DeleteOptions Orphan => new() { PropagationPolicy = "Orphan" };
}

/// <summary>metav1.Preconditions: the delete fails with 409 unless the object still has this uid/resourceVersion.</summary>
public sealed record Preconditions : KubeModel
{
    public string? Uid { get; init; }
    public string? ResourceVersion { get; init; }
}
