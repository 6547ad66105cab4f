namespace DataMover.EndToEnd.Tests.Mover;

/// <summary>How one mover run deviates from the default backup pod (uid 65534, /data read-only).</summary>
internal sealed record MoverRunOptions
{
    /// <summary>Mount the volume read-write at /data, as a restore pod does.</summary>
    public bool WritableData { get; init; }

    /// <summary>
    /// Run as root, as the operator's opt-in owner-preserving pod does. bubblewrap's user namespace
    /// cannot map other owners, so this runs the script directly and needs a root test process.
    /// </summary>
    public bool AsRoot { get; init; }

    /// <summary>Skip the sandbox even when bubblewrap works (paths are then host paths).</summary>
    public bool Direct { get; init; }

    /// <summary>Host directories bound read-write into the sandbox (host path to container path).</summary>
    public IReadOnlyDictionary<string, string> Binds { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public TimeSpan? Timeout { get; init; }
}
