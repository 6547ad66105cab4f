using DataMover.Kube.Client;
using DataMover.Kube.Runtime;
using Prometheus;

namespace DataMover.Operator.Metrics;

/// <summary>
/// The families controller-runtime and client-go export, with their names, labels and buckets, so dashboards and
/// alerts written for Go operators answer for this one (docs/metrics.md).
/// </summary>
internal sealed class ControllerRuntimeMetrics : IControllerMetrics, IRestClientMetrics
{
    /// <summary>controller-runtime's reconcile time buckets.</summary>
    private static readonly double[] ReconcileBuckets =
        [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0,
         1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60];

    /// <summary>client-go's workqueue buckets: 10ns to 1000s by powers of ten.</summary>
    private static readonly double[] QueueBuckets = Histogram.ExponentialBuckets(10e-9, 10, 12);

    private readonly Counter _reconciles;
    private readonly Counter _errors;
    private readonly Counter _terminalErrors;
    private readonly Counter _panics;
    private readonly Histogram _reconcileTime;
    private readonly Gauge _maxConcurrent;
    private readonly Gauge _activeWorkers;
    private readonly Gauge _depth;
    private readonly Counter _adds;
    private readonly Histogram _queueDuration;
    private readonly Histogram _workDuration;
    private readonly Gauge _unfinished;
    private readonly Gauge _longest;
    private readonly Counter _retries;
    private readonly Counter _requests;
    private readonly Gauge _leader;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Func<WorkQueueSnapshot>> _queues = [];

    public ControllerRuntimeMetrics(IMetricFactory factory, CollectorRegistry registry)
    {
        _reconciles = factory.CreateCounter("controller_runtime_reconcile_total", "Total number of reconciliations per controller.", ["controller", "result"]);
        _errors = factory.CreateCounter("controller_runtime_reconcile_errors_total", "Total number of reconciliation errors per controller.", ["controller"]);
        _terminalErrors = factory.CreateCounter("controller_runtime_terminal_reconcile_errors_total", "Total number of terminal reconciliation errors per controller.", ["controller"]);
        _panics = factory.CreateCounter("controller_runtime_reconcile_panics_total", "Total number of reconciliation panics per controller.", ["controller"]);
        _reconcileTime = factory.CreateHistogram("controller_runtime_reconcile_time_seconds", "Length of time per reconciliation per controller.",
            ["controller"], new HistogramConfiguration { Buckets = ReconcileBuckets });
        _maxConcurrent = factory.CreateGauge("controller_runtime_max_concurrent_reconciles", "Maximum number of concurrent reconciles per controller.", ["controller"]);
        _activeWorkers = factory.CreateGauge("controller_runtime_active_workers", "Number of currently used workers per controller.", ["controller"]);
        _depth = factory.CreateGauge("workqueue_depth", "Current depth of workqueue.", ["name", "controller"]);
        _adds = factory.CreateCounter("workqueue_adds_total", "Total number of adds handled by workqueue.", ["name", "controller"]);
        _queueDuration = factory.CreateHistogram("workqueue_queue_duration_seconds", "How long in seconds an item stays in workqueue before being requested.",
            ["name", "controller"], new HistogramConfiguration { Buckets = QueueBuckets });
        _workDuration = factory.CreateHistogram("workqueue_work_duration_seconds", "How long in seconds processing an item from workqueue takes.",
            ["name", "controller"], new HistogramConfiguration { Buckets = QueueBuckets });
        _unfinished = factory.CreateGauge("workqueue_unfinished_work_seconds",
            "How many seconds of work has been done that is in progress and hasn't been observed by work_duration. Large values indicate stuck threads.", ["name", "controller"]);
        _longest = factory.CreateGauge("workqueue_longest_running_processor_seconds", "How many seconds has the longest running processor for workqueue been running.", ["name", "controller"]);
        _retries = factory.CreateCounter("workqueue_retries_total", "Total number of retries handled by workqueue.", ["name", "controller"]);
        _requests = factory.CreateCounter("rest_client_requests_total", "Number of HTTP requests, partitioned by status code, method, and host.", ["code", "method", "host"]);
        _leader = factory.CreateGauge("leader_election_master_status", "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. 'name' is the string used to identify the lease.", ["name"]);

        // Depth and work in progress change between events; they are read from the queues when scraped.
        registry.AddBeforeCollectCallback(ReadQueues);
    }

    public void WorkersConfigured(string controller, int workers)
    {
        _maxConcurrent.WithLabels(controller).Set(workers);
        _activeWorkers.WithLabels(controller).Set(0);

        // controller-runtime initializes these series at zero, so rate() and absent() work before the first reconcile.
        foreach (var result in new[] { "success", "error", "requeue", "requeue_after" })
        {
            _reconciles.WithLabels(controller, result);
        }

        _errors.WithLabels(controller);
        _terminalErrors.WithLabels(controller);
        _panics.WithLabels(controller);
        _adds.WithLabels(controller, controller);
        _retries.WithLabels(controller, controller);
    }

    public void ReconcileStarted(string controller) => _activeWorkers.WithLabels(controller).Inc();

    public void ReconcileFinished(string controller, ReconcileOutcome outcome, TimeSpan elapsed)
    {
        _activeWorkers.WithLabels(controller).Dec();
        _reconcileTime.WithLabels(controller).Observe(elapsed.TotalSeconds);
        _reconciles.WithLabels(controller, outcome switch
        {
            ReconcileOutcome.Success => "success",
            ReconcileOutcome.RequeueAfter => "requeue_after",
            _ => "error",
        }).Inc();
        if (outcome is ReconcileOutcome.Error or ReconcileOutcome.TerminalError)
        {
            _errors.WithLabels(controller).Inc();
        }

        if (outcome == ReconcileOutcome.TerminalError)
        {
            _terminalErrors.WithLabels(controller).Inc();
        }
    }

    public void Added(string queue) => _adds.WithLabels(queue, queue).Inc();

    public void Handed(string queue, TimeSpan waited) => _queueDuration.WithLabels(queue, queue).Observe(waited.TotalSeconds);

    public void Worked(string queue, TimeSpan worked) => _workDuration.WithLabels(queue, queue).Observe(worked.TotalSeconds);

    public void Retried(string queue) => _retries.WithLabels(queue, queue).Inc();

    public void Track(string queue, Func<WorkQueueSnapshot> probe)
    {
        lock (_gate)
        {
            _queues[queue] = probe;
        }
    }

    public void RequestCompleted(string code, string method, string host) => _requests.WithLabels(code, method, host).Inc();

    /// <summary>This process leads through the lease <paramref name="lease"/> (1).</summary>
    public void StartedLeading(string lease) => _leader.WithLabels(lease).Set(1);

    /// <summary>This process waits for the lease <paramref name="lease"/>, or gave it up (0).</summary>
    public void StandingBy(string lease) => _leader.WithLabels(lease).Set(0);

    private void ReadQueues()
    {
        KeyValuePair<string, Func<WorkQueueSnapshot>>[] queues;
        lock (_gate)
        {
            queues = [.. _queues];
        }

        foreach (var (name, probe) in queues)
        {
            var snapshot = probe();
            _depth.WithLabels(name, name).Set(snapshot.Depth);
            _unfinished.WithLabels(name, name).Set(snapshot.Unfinished.TotalSeconds);
            _longest.WithLabels(name, name).Set(snapshot.Longest.TotalSeconds);
        }
    }
}
