using Prometheus;

namespace DataMover.Operator.Metrics;

/// <summary>The DataMover metrics (see docs/metrics.md). Counted on the status write that made a transition, so once.</summary>
internal sealed class DataMoverMetrics
{
    public const string Started = "started";
    public const string Success = "success";
    public const string Failure = "failure";

    /// <summary>Seconds: clones and backups take from seconds to hours.</summary>
    public static readonly double[] DurationBuckets = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600];

    private readonly Counter _cleanups;
    private readonly Counter _upstreamCleanups;

    public DataMoverMetrics(IMetricFactory factory)
    {
        Operations = factory.CreateCounter("datamover_operations_total", "DataMover phase operations by phase and outcome (started, success, failure).", ["phase", "status", "namespace"]);
        PhaseDuration = factory.CreateHistogram("datamover_phase_duration_seconds", "Time spent in each DataMover phase, measured from status.phaseStartTime.",
            ["phase", "namespace"], new HistogramConfiguration { Buckets = DurationBuckets });
        CurrentPhase = factory.CreateGauge("datamover_current_phase", "Current phase of each DataMover: 0 Pending, 1 CreatingClonedPVC, 2 ClonedPVCReady, 3 CreatingPod, 4 CleaningUp, 5 Completed, 6 Failed.", ["name", "namespace"]);
        CloneOperations = factory.CreateCounter("datamover_pvc_clone_operations_total", "Clone PVC operations by outcome (started, success, failure).", ["status", "namespace"]);
        PodCreations = factory.CreateCounter("datamover_pod_creation_operations_total", "Mover Job creations by outcome (success, failure).", ["status", "namespace"]);
        DataSyncs = factory.CreateCounter("datamover_data_sync_operations_total", "Data sync (mover Job) outcomes (success, failure).", ["status", "namespace"]);
        Errors = factory.CreateCounter("datamover_errors_total", "Errors by type and phase.", ["error_type", "phase", "namespace"]);
        _cleanups = factory.CreateCounter("datamover_cleanup_operations_total", "Clone cleanup operations by outcome (success, failure); same count as datamover_pvc_cleanup_operations_total.", ["status", "namespace"]);
        _upstreamCleanups = factory.CreateCounter("datamover_pvc_cleanup_operations_total", "Clone cleanup operations by outcome (success, failure), under the upstream operator's name.", ["status", "namespace"]);
        BackupBytes = factory.CreateGauge("datamover_backup_bytes", "Bytes of the last successful backup of each source PVC, as the mover reported them.", ["namespace", "source_pvc"]);
        BackupFiles = factory.CreateGauge("datamover_backup_files", "Files of the last successful backup of each source PVC, as the mover reported them.", ["namespace", "source_pvc"]);
        BackupLastSuccess = factory.CreateGauge("datamover_backup_last_success_timestamp_seconds", "Unix time of the last successful backup of each source PVC.", ["namespace", "source_pvc"]);
        RestoreOperations = factory.CreateCounter("datamover_restore_operations_total", "DataMoverRestore phase operations by phase and outcome (started, success, failure).", ["phase", "status", "namespace"]);
        RestoreDuration = factory.CreateHistogram("datamover_restore_duration_seconds", "Time from a DataMoverRestore's start to its end, by outcome (success, failure).",
            ["status", "namespace"], new HistogramConfiguration { Buckets = DurationBuckets });
        RestoreErrors = factory.CreateCounter("datamover_restore_errors_total", "DataMoverRestore errors by type and phase.", ["error_type", "phase", "namespace"]);
        Schedules = new ScheduleMetrics(factory);
    }

    public Counter Operations { get; }
    public Histogram PhaseDuration { get; }
    public Gauge CurrentPhase { get; }
    public Counter CloneOperations { get; }
    public Counter PodCreations { get; }
    public Counter DataSyncs { get; }
    public Counter Errors { get; }
    public Gauge BackupBytes { get; }
    public Gauge BackupFiles { get; }
    public Gauge BackupLastSuccess { get; }
    public Counter RestoreOperations { get; }
    public Histogram RestoreDuration { get; }
    public Counter RestoreErrors { get; }
    public ScheduleMetrics Schedules { get; }

    public void Error(string type, string phase, string ns) => Errors.WithLabels(type, phase, ns).Inc();

    /// <summary>Counts a cleanup under our name and upstream's, so queries written for either answer.</summary>
    public void Cleanup(string outcome, string ns)
    {
        _cleanups.WithLabels(outcome, ns).Inc();
        _upstreamCleanups.WithLabels(outcome, ns).Inc();
    }

    /// <summary>What the mover reported for a backup that succeeded; a report without counts leaves the last ones.</summary>
    public void BackupSucceeded(string ns, string sourcePvc, long? bytes, long? files, DateTimeOffset at)
    {
        if (bytes is { } b)
        {
            BackupBytes.WithLabels(ns, sourcePvc).Set(b);
        }

        if (files is { } f)
        {
            BackupFiles.WithLabels(ns, sourcePvc).Set(f);
        }

        BackupLastSuccess.WithLabels(ns, sourcePvc).Set(at.ToUnixTimeMilliseconds() / 1000.0);
    }
}
