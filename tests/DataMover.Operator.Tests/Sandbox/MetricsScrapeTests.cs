using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;
using DataMover.Operator.Tests.Support;

namespace DataMover.Operator.Tests.Sandbox;

/// <summary>
/// Scrapes a running operator (under its ServiceAccount, leading through its Lease) after a backup and a schedule's
/// reconcile: the families dashboards know are there with their labels, and the monitoring bundle names only these.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class MetricsScrapeTests(SandboxFixture fixture) : OperatorTestBase(fixture)
{
    [Fact]
    public async Task AScrapeAfterABackupHasEveryFamilyTheBundleReads()
    {
        var host = await StartOperatorAsync(leaderElect: true);
        await CreateSourceAsync();
        await CreateDataMoverAsync("backup");
        var dm = await WaitForPhaseAsync("backup", DataMoverPhase.CreatingClonedPvc);
        await WaitAsync(async () => await Pvcs.TryGetAsync(Ns, dm.Status!.RestoredPvcName!), () => "clone");
        await BindAsync(dm.Status!.RestoredPvcName!);
        await WaitForPhaseAsync("backup", DataMoverPhase.CreatingPod);
        var job = await WaitAsync(async () => await Jobs.TryGetAsync(Ns, "backup-mover"), () => "job");
        await CreateJobPodAsync(job, 0, MoverResultFor(job, "my-bucket"));
        await FinishJobAsync("backup-mover", succeeded: true);
        await WaitForPhaseAsync("backup", DataMoverPhase.Completed);

        await Client.Resource(DataMoverResources.Schedules).CreateAsync(new DataMoverSchedule
        {
            Metadata = new ObjectMeta { Name = "nightly", Namespace = Ns },
            Spec = new DataMoverScheduleSpec { Schedule = "0 3 * * *", SourcePvc = "web-app-data", SecretName = "storage-credentials" },
        });

        using var http = new HttpClient();
        var scrape = await WaitAsync(async () =>
        {
            var families = PrometheusText.Parse(await http.GetStringAsync(new Uri(host.MetricsUrl!, "/metrics")));
            return families["datamover_schedule_next_run_timestamp_seconds"].Has(("namespace", Ns), ("schedule", "nightly")) ? families : null;
        }, () => "the schedule's next run in a scrape");

        // The DataMover families, upstream's names included.
        Assert.Equal(5, scrape["datamover_current_phase"].Value(("name", "backup"), ("namespace", Ns)));
        Assert.Equal(1, scrape["datamover_operations_total"].Value(("phase", "CreatingPod"), ("status", "success"), ("namespace", Ns)));
        Assert.Equal(42, scrape["datamover_backup_bytes"].Value(("namespace", Ns), ("source_pvc", "web-app-data")));
        Assert.Equal(3, scrape["datamover_backup_files"].Value(("namespace", Ns), ("source_pvc", "web-app-data")));
        Assert.Equal(86400, scrape["datamover_schedule_period_seconds"].Value(("namespace", Ns), ("schedule", "nightly")));
        Assert.Contains("datamover_pvc_cleanup_operations_total", scrape.Keys);

        // controller-runtime's and client-go's, as dashboards for Go operators query them.
        Assert.True(scrape["controller_runtime_reconcile_total"].Value(("controller", "datamover"), ("result", "success")) >= 1);
        Assert.NotNull(scrape["controller_runtime_reconcile_errors_total"].Value(("controller", "datamover")));
        Assert.True(scrape["controller_runtime_reconcile_time_seconds"].Has(("controller", "datamover"), ("le", "+Inf")));
        Assert.True(scrape["controller_runtime_max_concurrent_reconciles"].Value(("controller", "datamover")) >= 1);
        Assert.NotNull(scrape["controller_runtime_active_workers"].Value(("controller", "schedule")));
        Assert.NotNull(scrape["workqueue_depth"].Value(("name", "datamover"), ("controller", "datamover")));
        Assert.True(scrape["workqueue_adds_total"].Value(("name", "datamover"), ("controller", "datamover")) >= 1);
        Assert.True(scrape["workqueue_queue_duration_seconds"].Has(("name", "datamover"), ("controller", "datamover")));
        Assert.True(scrape["workqueue_work_duration_seconds"].Has(("name", "schedule"), ("controller", "schedule")));
        Assert.NotNull(scrape["workqueue_retries_total"].Value(("name", "datamover"), ("controller", "datamover")));
        Assert.NotNull(scrape["workqueue_unfinished_work_seconds"].Value(("name", "datamover"), ("controller", "datamover")));
        Assert.NotNull(scrape["workqueue_longest_running_processor_seconds"].Value(("name", "datamover"), ("controller", "datamover")));
        Assert.True(scrape["rest_client_requests_total"].Has(("code", "200"), ("method", "GET"), ("host", Fixture.Client.Settings.Server.Authority)));
        Assert.True(scrape["rest_client_requests_total"].Has(("code", "201"), ("method", "POST")));
        Assert.Equal(1, scrape["leader_election_master_status"].Value(("name", "datamover-operator-leader")));
        foreach (var process in new[] { "process_cpu_seconds_total", "process_resident_memory_bytes", "process_start_time_seconds", "process_open_fds", "process_virtual_memory_bytes" })
        {
            Assert.True(scrape[process].Samples.Count == 1 && scrape[process].Samples[0].Value > 0, process);
        }

        // What the monitoring bundle reads is what this operator serves.
        var served = scrape.Keys.ToHashSet(StringComparer.Ordinal);
        Assert.Empty(MonitoringBundle.Unknown(MonitoringBundle.Alerts(), served));
        Assert.Empty(MonitoringBundle.Unknown(MonitoringBundle.DashboardQueries(), served));

        // A deleted schedule leaves no series behind.
        await Client.Resource(DataMoverResources.Schedules).DeleteAsync(Ns, "nightly");
        await WaitAsync(async () => (await http.GetStringAsync(new Uri(host.MetricsUrl!, "/metrics"))).Contains("schedule=\"nightly\"", StringComparison.Ordinal) ? null : "gone", () => "schedule series removed");
    }
}
