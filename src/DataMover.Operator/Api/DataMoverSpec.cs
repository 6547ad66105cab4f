using DataMover.Kube.Models;

namespace DataMover.Operator.Api;

/// <summary>What to back up and where; fixed once the DataMover exists.</summary>
public sealed record DataMoverSpec : KubeModel
{
    public string? SourcePvc { get; init; }
    public string? SecretName { get; init; }
    /// <summary>A prefix inside the bucket (not in the upstream API; unset keeps upstream's layout).</summary>
    public string? Path { get; init; }
    public bool? AddTimestampPrefix { get; init; }
    public bool? DeletePvcAfterBackup { get; init; }
    /// <summary>Clone (default) or Snapshot: how the temporary point-in-time copy of the source is made (<see cref="CopyMethods"/>).</summary>
    public string? CopyMethod { get; init; }
    /// <summary>With copyMethod Snapshot: the VolumeSnapshotClass; unset takes the driver's default class.</summary>
    public string? VolumeSnapshotClassName { get; init; }
    public IReadOnlyList<EnvVar>? AdditionalEnv { get; init; }
    public MoverImage? Image { get; init; }
    /// <summary>How the mover's pod is placed and whom it runs as; unset fields take the operator's defaults.</summary>
    public MoverPodSettings? MoverPod { get; init; }
    /// <summary>Bounds on each wait; unset fields take the operator's defaults.</summary>
    public DataMoverTimeouts? Timeouts { get; init; }
}
