using DataMover.Operator.Controllers;

namespace DataMover.Operator.Restore;

/// <summary>What a restore's spec leaves unset, and what the operator's administrator allows.</summary>
internal sealed record RestoreDefaults
{
    public string MoverImage { get; init; } = MoverImageRef.DefaultImage;

    public BackupTimeouts Timeouts { get; init; } = BackupTimeouts.Defaults;

    /// <summary>Repository patterns a restore's spec.image may name (--allowed-mover-images); empty: the mover image's repository.</summary>
    public IReadOnlyList<string> AllowedMoverImages { get; init; } = [];

    /// <summary>--allow-privileged-restore: spec.restoreOwnership may run the mover as root with chown capabilities.</summary>
    public bool AllowPrivilegedRestore { get; init; }

    /// <summary>The operator-wide mover pod settings (--mover-pod-defaults), under each spec.moverPod.</summary>
    public Api.MoverPodSettings? MoverPod { get; init; }

    /// <summary>--allow-mover-root: spec.moverPod.securityContext may name uid or gid 0.</summary>
    public bool AllowMoverRoot { get; init; }
}
