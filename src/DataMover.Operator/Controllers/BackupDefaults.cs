namespace DataMover.Operator.Controllers;

/// <summary>What a DataMover's spec leaves unset: the operator-wide mover image and wait bounds.</summary>
public sealed record BackupDefaults
{
    public string MoverImage { get; init; } = MoverImageRef.DefaultImage;

    public BackupTimeouts Timeouts { get; init; } = BackupTimeouts.Defaults;

    /// <summary>Repository patterns a spec.image may resolve to; empty allows only <see cref="MoverImage"/>'s repository.</summary>
    public IReadOnlyList<string> AllowedMoverImages { get; init; } = [];
}
