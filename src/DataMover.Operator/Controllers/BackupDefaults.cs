namespace DataMover.Operator.Controllers;

/// <summary>What a DataMover's spec leaves unset: the operator-wide mover image, wait bounds and mover pod settings.</summary>
public sealed record BackupDefaults
{
    public string MoverImage { get; init; } = MoverImageRef.DefaultImage;

    public BackupTimeouts Timeouts { get; init; } = BackupTimeouts.Defaults;

    /// <summary>Repository patterns a spec.image may resolve to; empty allows only <see cref="MoverImage"/>'s repository.</summary>
    public IReadOnlyList<string> AllowedMoverImages { get; init; } = [];

    /// <summary>The operator-wide mover pod settings (--mover-pod-defaults), under each spec.moverPod.</summary>
    public Api.MoverPodSettings? MoverPod { get; init; }

    /// <summary>--allow-mover-root: spec.moverPod.securityContext may name uid or gid 0.</summary>
    public bool AllowMoverRoot { get; init; }
}
