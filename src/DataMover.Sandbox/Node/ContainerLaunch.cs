namespace DataMover.Sandbox.Node;

/// <summary>Everything needed to start one container process, resolved from the pod spec.</summary>
internal sealed record ContainerLaunch
{
    public required IReadOnlyList<string> Argv { get; init; }
    public required IReadOnlyList<KeyValuePair<string, string>> Env { get; init; }
    public string WorkingDir { get; init; } = "/";
    public IReadOnlyList<MountSpec> Mounts { get; init; } = [];
    public long Uid { get; init; }
    public long Gid { get; init; }

    /// <summary>Supplementary groups (the pod's fsGroup), kept as real host groups for permission checks.</summary>
    public IReadOnlyList<long> Groups { get; init; } = [];
    public bool ReadOnlyRootFilesystem { get; init; }
    public string? Hostname { get; init; }

    /// <summary>
    /// With a writable root filesystem, directories a container usually writes to (HOME, /var/tmp) get private
    /// tmpfs mounts: there is no writable image layer, this stands in for it.
    /// </summary>
    public IReadOnlyList<string> WritableDirs { get; init; } = [];

    /// <summary>Host file bound writable at <see cref="TerminationMessagePath"/>.</summary>
    public string? TerminationLogHostPath { get; init; }

    public string TerminationMessagePath { get; init; } = "/dev/termination-log";
}

/// <summary>A host path bound into the container.</summary>
internal sealed record MountSpec(string HostPath, string ContainerPath, bool ReadOnly);
