namespace DataMover.Operator.Metrics;

/// <summary>The DataMover metrics (see docs/metrics.md). Counted on the status write that made a transition, so once.</summary>
internal sealed class DataMoverMetrics
{
    public const string Started = "started";
    public const string Success = "success";
    public const string Failure = "failure";

    /// <summary>Seconds: clones and backups take from seconds to hours.</summary>
    public static readonly IReadOnlyList<double> DurationBuckets = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600];

    public DataMoverMetrics(MetricsRegistry registry)
    {
        Registry = registry;
        Operations = registry.Counter("datamover_operations_total", "DataMover phase operations by phase and outcome (started, success, failure).", "phase", "status", "namespace");
        PhaseDuration = registry.Histogram("datamover_phase_duration_seconds", "Time spent in each DataMover phase, measured from status.phaseStartTime.", DurationBuckets, "phase", "namespace");
        CurrentPhase = registry.Gauge("datamover_current_phase", "Current phase of each DataMover: 0 Pending, 1 CreatingClonedPVC, 2 ClonedPVCReady, 3 CreatingPod, 4 CleaningUp, 5 Completed, 6 Failed.", "name", "namespace");
        CloneOperations = registry.Counter("datamover_pvc_clone_operations_total", "Clone PVC operations by outcome (started, success, failure).", "status", "namespace");
        PodCreations = registry.Counter("datamover_pod_creation_operations_total", "Mover Job creations by outcome (success, failure).", "status", "namespace");
        DataSyncs = registry.Counter("datamover_data_sync_operations_total", "Data sync (mover Job) outcomes (success, failure).", "status", "namespace");
        Errors = registry.Counter("datamover_errors_total", "Errors by type and phase.", "error_type", "phase", "namespace");
        Cleanups = registry.Counter("datamover_cleanup_operations_total", "Clone cleanup operations by outcome (success, failure).", "status", "namespace");
        RestoreOperations = registry.Counter("datamover_restore_operations_total", "DataMoverRestore phase operations by phase and outcome (started, success, failure).", "phase", "status", "namespace");
        RestoreDuration = registry.Histogram("datamover_restore_duration_seconds", "Time from a DataMoverRestore's start to its end, by outcome (success, failure).", DurationBuckets, "status", "namespace");
        RestoreErrors = registry.Counter("datamover_restore_errors_total", "DataMoverRestore errors by type and phase.", "error_type", "phase", "namespace");
    }

    public MetricsRegistry Registry { get; }
    public MetricFamily Operations { get; }
    public MetricFamily PhaseDuration { get; }
    public MetricFamily CurrentPhase { get; }
    public MetricFamily CloneOperations { get; }
    public MetricFamily PodCreations { get; }
    public MetricFamily DataSyncs { get; }
    public MetricFamily Errors { get; }
    public MetricFamily Cleanups { get; }
    public MetricFamily RestoreOperations { get; }
    public MetricFamily RestoreDuration { get; }
    public MetricFamily RestoreErrors { get; }

    public void Error(string type, string phase, string ns) => Errors.Increment(1, type, phase, ns);
}
