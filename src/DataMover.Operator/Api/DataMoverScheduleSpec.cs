using DataMover.Kube.Models;

namespace DataMover.Operator.Api;

/// <summary>The schedule and the DataMover template it stamps out.</summary>
public sealed record DataMoverScheduleSpec : KubeModel
{
    /// <summary>Five-field cron or a macro (@hourly, @daily, @weekly, @monthly, @yearly).</summary>
    public string? Schedule { get; init; }
    /// <summary>IANA time zone; UTC when unset.</summary>
    public string? TimeZone { get; init; }
    public string? SourcePvc { get; init; }
    public string? SecretName { get; init; }
    /// <summary>A prefix inside the bucket, copied into each run.</summary>
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
    /// <summary>Bounds on each wait of every run, copied into each DataMover; unset fields take the operator's defaults.</summary>
    public DataMoverTimeouts? Timeouts { get; init; }
    public bool? Suspend { get; init; }
    public int? SuccessfulJobsHistoryLimit { get; init; }
    public int? FailedJobsHistoryLimit { get; init; }
    /// <summary>Forbid (default), Allow or Replace.</summary>
    public string? ConcurrencyPolicy { get; init; }
    public long? StartingDeadlineSeconds { get; init; }
    /// <summary>Which complete backups of this schedule to keep; the others are deleted after each verified run.</summary>
    public RetentionPolicy? Retention { get; init; }
}
