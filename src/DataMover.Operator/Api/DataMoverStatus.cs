using DataMover.Kube.Models;

namespace DataMover.Operator.Api;

/// <summary>Observed progress of a DataMover.</summary>
public sealed record DataMoverStatus : KubeModel
{
    /// <summary>"", CreatingClonedPVC, ClonedPVCReady, CreatingPod, CleaningUp, Completed or Failed.</summary>
    public string? Phase { get; init; }
    /// <summary>The clone's name (the field name is the upstream operator's).</summary>
    public string? RestoredPvcName { get; init; }
    public IReadOnlyList<Condition>? Conditions { get; init; }
    public long? ObservedGeneration { get; init; }
    public DateTimeOffset? StartTime { get; init; }
    public DateTimeOffset? CompletionTime { get; init; }
    /// <summary>When the current phase began; phase durations are measured from it so a restart loses nothing.</summary>
    public DateTimeOffset? PhaseStartTime { get; init; }
    public string? JobName { get; init; }
    /// <summary>With copyMethod Snapshot: the VolumeSnapshot the clone is restored from; decided with the clone's name.</summary>
    public string? SnapshotName { get; init; }
    /// <summary>
    /// The folder under spec.path the mover writes into (the mover's DATAMOVER_DESTINATION_PREFIX; "" in mirror mode,
    /// which syncs onto spec.path itself); decided once, before the Job exists, so a restart never writes elsewhere,
    /// and unique among the DataMovers the operator watches.
    /// </summary>
    public string? DestinationPrefix { get; init; }
    /// <summary>Where the backup landed, as the mover reported it on success (s3://bucket/folder/); unset before.</summary>
    public string? Destination { get; init; }
    /// <summary>Mover pod attempts so far.</summary>
    public int? Attempts { get; init; }
    /// <summary>The spec the operator acted on, recorded when it started: later edits of the spec are ignored.</summary>
    public DataMoverSpec? AcceptedSpec { get; init; }
}
