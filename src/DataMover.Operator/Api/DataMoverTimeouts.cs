using DataMover.Kube.Models;

namespace DataMover.Operator.Api;

/// <summary>
/// How long each wait of a backup may last, as Kubernetes durations ("90s", "15m", "1h30m"); an unset field takes the
/// operator-wide default. A wait that runs out fails the DataMover with a reason naming what was awaited.
/// </summary>
public sealed record DataMoverTimeouts : KubeModel
{
    /// <summary>For the source PVC to exist and be Bound.</summary>
    public string? SourceReady { get; init; }
    /// <summary>For the clone to be Bound (or, on WaitForFirstConsumer classes, created and waiting for the mover).</summary>
    public string? CloneReady { get; init; }
    /// <summary>With copyMethod Snapshot: for the VolumeSnapshot to be readyToUse.</summary>
    public string? SnapshotReady { get; init; }
    /// <summary>For the mover pod to start running once its Job exists.</summary>
    public string? MoverStart { get; init; }
    /// <summary>For the mover to finish once its Job exists (the Job's activeDeadlineSeconds).</summary>
    public string? MoverRun { get; init; }
    /// <summary>For the clone to be gone after its delete.</summary>
    public string? Cleanup { get; init; }
}
