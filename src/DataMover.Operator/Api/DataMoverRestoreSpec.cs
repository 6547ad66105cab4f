using DataMover.Kube.Models;

namespace DataMover.Operator.Api;

/// <summary>What to restore and where to; fixed once the restore exists.</summary>
public sealed record DataMoverRestoreSpec : KubeModel
{
    public DataMoverRestoreSource? Source { get; init; }
    public DataMoverRestoreTarget? Target { get; init; }
    /// <summary>Delete files in the volume that the backup does not have (the mover's DATAMOVER_RESTORE_DELETE).</summary>
    public bool? DeleteExtraFiles { get; init; }
    /// <summary>
    /// Restore file owners and groups: runs the mover as root with CAP_CHOWN, CAP_FOWNER and CAP_DAC_OVERRIDE, allowed
    /// only when the operator runs with --allow-privileged-restore.
    /// </summary>
    public bool? RestoreOwnership { get; init; }
    public IReadOnlyList<EnvVar>? AdditionalEnv { get; init; }
    public MoverImage? Image { get; init; }
    /// <summary>How the mover's pod is placed and whom it runs as; unset fields take the operator's defaults.</summary>
    public MoverPodSettings? MoverPod { get; init; }
    /// <summary>Bounds on each wait; unset fields take the operator's defaults.</summary>
    public DataMoverRestoreTimeouts? Timeouts { get; init; }
}
