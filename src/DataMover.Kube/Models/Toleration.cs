namespace DataMover.Kube.Models;

/// <summary>core/v1 Toleration.</summary>
public sealed record Toleration : KubeModel
{
    public string? Key { get; init; }
    /// <summary>Exists or Equal (the default).</summary>
    public string? Operator { get; init; }
    public string? Value { get; init; }
    /// <summary>NoSchedule, PreferNoSchedule or NoExecute; empty matches every effect.</summary>
    public string? Effect { get; init; }
    public long? TolerationSeconds { get; init; }
}
