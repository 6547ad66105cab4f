using DataMover.Kube.Models;

namespace DataMover.Operator.Api;

/// <summary>Observed progress of a DataMoverRestore. Every decision is recorded here before it is acted on.</summary>
public sealed record DataMoverRestoreStatus : KubeModel
{
    /// <summary>"" (pending), Inspecting, PreparingTarget, Restoring, Completed or Failed.</summary>
    public string? Phase { get; init; }
    public IReadOnlyList<Condition>? Conditions { get; init; }
    public long? ObservedGeneration { get; init; }
    public DateTimeOffset? StartTime { get; init; }
    public DateTimeOffset? CompletionTime { get; init; }
    /// <summary>When the current phase began; the phase's deadline counts from it.</summary>
    public DateTimeOffset? PhaseStartTime { get; init; }
    /// <summary>The source for display: "datamover/&lt;name&gt;" or the path asked for.</summary>
    public string? Source { get; init; }
    /// <summary>The storage Secret the mover reads (its name only).</summary>
    public string? SecretName { get; init; }
    /// <summary>The prefix inside the bucket (the mover's DATAMOVER_PATH).</summary>
    public string? Path { get; init; }
    /// <summary>The folder asked for under the path (DATAMOVER_RESTORE_FOLDER): a folder, "latest", or "" for the path itself.</summary>
    public string? RequestedFolder { get; init; }
    /// <summary>The folder restored, as the mover reported it (what "latest" resolved to).</summary>
    public string? Folder { get; init; }
    /// <summary>The PVC restored into.</summary>
    public string? TargetPvc { get; init; }
    /// <summary>True when the restore creates the target PVC (target.pvc), false when it restores into an existing one.</summary>
    public bool? TargetPvcCreated { get; init; }
    public string? JobName { get; init; }
    /// <summary>The inspect Job (<c>&lt;restore&gt;-inspect</c>) that reads the backup's manifest to size a new PVC; deleted once read.</summary>
    public string? InspectJobName { get; init; }
    /// <summary>Mover pod attempts so far.</summary>
    public int? Attempts { get; init; }
    /// <summary>Files and bytes of the restored tree, as the mover reported them.</summary>
    public long? Files { get; init; }
    public long? Bytes { get; init; }
    /// <summary>The spec the operator acted on, recorded when it started: later edits of the spec are ignored.</summary>
    public DataMoverRestoreSpec? AcceptedSpec { get; init; }
}
