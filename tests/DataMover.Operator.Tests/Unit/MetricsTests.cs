using DataMover.Kube.Runtime;
using DataMover.Operator.Metrics;
using DataMover.Operator.Tests.Support;

namespace DataMover.Operator.Tests.Unit;

public sealed class MetricsTests
{
    [Fact]
    public async Task EveryFamilyIsDeclaredWithItsType()
    {
        var metrics = new OperatorMetrics();
        metrics.Runtime.WorkersConfigured("datamover", 2);
        var families = PrometheusText.Parse(await metrics.RenderAsync());
        foreach (var (name, type) in new[]
        {
            ("datamover_operations_total", "counter"), ("datamover_phase_duration_seconds", "histogram"), ("datamover_current_phase", "gauge"),
            ("datamover_pvc_clone_operations_total", "counter"), ("datamover_pod_creation_operations_total", "counter"),
            ("datamover_data_sync_operations_total", "counter"), ("datamover_errors_total", "counter"), ("datamover_cleanup_operations_total", "counter"),
            ("datamover_pvc_cleanup_operations_total", "counter"), ("datamover_backup_bytes", "gauge"), ("datamover_backup_files", "gauge"),
            ("datamover_schedule_last_success_timestamp_seconds", "gauge"), ("datamover_schedule_next_run_timestamp_seconds", "gauge"),
            ("datamover_schedule_period_seconds", "gauge"), ("controller_runtime_reconcile_total", "counter"),
            ("controller_runtime_reconcile_time_seconds", "histogram"), ("controller_runtime_max_concurrent_reconciles", "gauge"),
            ("workqueue_queue_duration_seconds", "histogram"), ("process_cpu_seconds_total", "counter"), ("process_start_time_seconds", "gauge"),
        })
        {
            Assert.True(families.TryGetValue(name, out var family), $"{name} is not exported");
            Assert.Equal(type, family.Type);
        }

        // controller-runtime starts these at zero, so rate() answers before the first reconcile.
        Assert.Equal(0, families["controller_runtime_reconcile_total"].Value(("controller", "datamover"), ("result", "requeue_after")));
        Assert.Equal(2, families["controller_runtime_max_concurrent_reconciles"].Value(("controller", "datamover")));
    }

    [Fact]
    public async Task CleanupsAnswerUnderOurNameAndUpstreams()
    {
        var metrics = new OperatorMetrics();
        metrics.DataMovers.Cleanup(DataMoverMetrics.Success, "team-a");
        var families = PrometheusText.Parse(await metrics.RenderAsync());
        Assert.Equal(1, families["datamover_cleanup_operations_total"].Value(("status", "success"), ("namespace", "team-a")));
        Assert.Equal(1, families["datamover_pvc_cleanup_operations_total"].Value(("status", "success"), ("namespace", "team-a")));
    }

    [Fact]
    public async Task ScheduleSeriesFollowTheStatusAndGoWithTheSchedule()
    {
        var metrics = new OperatorMetrics();
        var schedules = metrics.DataMovers.Schedules;
        var last = DateTimeOffset.Parse("2026-11-30T02:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        schedules.Observe("team-a", "nightly", last, last.AddDays(1), TimeSpan.FromDays(1));
        var families = PrometheusText.Parse(await metrics.RenderAsync());
        Assert.Equal(last.ToUnixTimeSeconds(), families["datamover_schedule_last_success_timestamp_seconds"].Value(("namespace", "team-a"), ("schedule", "nightly")));
        Assert.Equal(86400, families["datamover_schedule_period_seconds"].Value(("namespace", "team-a"), ("schedule", "nightly")));

        // Suspended: no next run, so neither next run nor period; the last success stays.
        schedules.Observe("team-a", "nightly", last, null, null);
        families = PrometheusText.Parse(await metrics.RenderAsync());
        Assert.Null(families["datamover_schedule_next_run_timestamp_seconds"].Value(("namespace", "team-a"), ("schedule", "nightly")));
        Assert.NotNull(families["datamover_schedule_last_success_timestamp_seconds"].Value(("namespace", "team-a"), ("schedule", "nightly")));

        schedules.Forget("team-a", "nightly");
        Assert.DoesNotContain("nightly", await metrics.RenderAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BackupSizeIsKeptPerSource()
    {
        var metrics = new OperatorMetrics();
        metrics.DataMovers.BackupSucceeded("team-a", "web-data", 2048, 3, DateTimeOffset.UnixEpoch.AddSeconds(100));
        metrics.DataMovers.BackupSucceeded("team-a", "web-data", 4096, null, DateTimeOffset.UnixEpoch.AddSeconds(200));
        var families = PrometheusText.Parse(await metrics.RenderAsync());
        Assert.Equal(4096, families["datamover_backup_bytes"].Value(("namespace", "team-a"), ("source_pvc", "web-data")));
        Assert.Equal(3, families["datamover_backup_files"].Value(("namespace", "team-a"), ("source_pvc", "web-data")));
        Assert.Equal(200, families["datamover_backup_last_success_timestamp_seconds"].Value(("namespace", "team-a"), ("source_pvc", "web-data")));
    }

    [Fact]
    public async Task ReconcilesAreCountedByResultAsControllerRuntimeDoes()
    {
        var metrics = new OperatorMetrics();
        var runtime = metrics.Runtime;
        runtime.WorkersConfigured("schedule", 1);
        runtime.ReconcileStarted("schedule");
        runtime.ReconcileFinished("schedule", ReconcileOutcome.RequeueAfter, TimeSpan.FromMilliseconds(3));
        runtime.ReconcileStarted("schedule");
        runtime.ReconcileFinished("schedule", ReconcileOutcome.TerminalError, TimeSpan.FromMilliseconds(3));
        runtime.Track("schedule", () => new WorkQueueSnapshot(4, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(2)));
        runtime.RequestCompleted("200", "GET", "10.0.0.1:6443");
        var families = PrometheusText.Parse(await metrics.RenderAsync());
        Assert.Equal(1, families["controller_runtime_reconcile_total"].Value(("controller", "schedule"), ("result", "requeue_after")));
        Assert.Equal(1, families["controller_runtime_reconcile_total"].Value(("controller", "schedule"), ("result", "error")));
        Assert.Equal(1, families["controller_runtime_reconcile_errors_total"].Value(("controller", "schedule")));
        Assert.Equal(1, families["controller_runtime_terminal_reconcile_errors_total"].Value(("controller", "schedule")));
        Assert.Equal(0, families["controller_runtime_active_workers"].Value(("controller", "schedule")));
        Assert.Equal(4, families["workqueue_depth"].Value(("name", "schedule"), ("controller", "schedule")));
        Assert.Equal(2, families["workqueue_longest_running_processor_seconds"].Value(("name", "schedule"), ("controller", "schedule")));
        Assert.Equal(1, families["rest_client_requests_total"].Value(("code", "200"), ("method", "GET"), ("host", "10.0.0.1:6443")));
    }
}
