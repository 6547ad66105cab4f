using DataMover.Kube.Models;

namespace DataMover.Operator.Api;

/// <summary>What the latest prune of a schedule's backups found and did.</summary>
public sealed record RetentionStatus : KubeModel
{
    /// <summary>Complete backups of this schedule kept by the policy.</summary>
    public int? Kept { get; init; }
    /// <summary>The folder of the oldest kept backup.</summary>
    public string? OldestKept { get; init; }
    /// <summary>The start time of the oldest kept backup.</summary>
    public DateTimeOffset? OldestKeptTime { get; init; }
    public DateTimeOffset? LastPruneTime { get; init; }
    /// <summary>Backups deleted by the latest prune (0 in dry-run mode).</summary>
    public int? Pruned { get; init; }
    /// <summary>In dry-run mode: the folders a prune would delete.</summary>
    public IReadOnlyList<string>? WouldPrune { get; init; }
    /// <summary>The run (DataMover) the latest prune followed; the next prune follows the next successful run.</summary>
    public string? LastRun { get; init; }
}
