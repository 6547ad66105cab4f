using System.Globalization;
using DataMover.Kube.Client;

namespace DataMover.Bench;

/// <summary>
/// P1 and the per-backup half of P5: backups one after another with the no-op mover; for each, the wall time minus the
/// clone's binding and the mover pod's run is the operator's overhead (plus the API and job controller it waits on).
/// The operator's request counter is scraped before and after the batch.
/// </summary>
internal static class SequentialBackupScenario
{
    private const string Namespace = "bench-p1";

    public static async Task RunAsync(BenchSession session, CancellationToken ct)
    {
        var options = session.Options;
        var count = options.SequentialBackups;
        await session.Cluster.PrepareNamespaceAsync(Namespace, NoopSecret, ct);
        var op = session.Operator ?? throw new BenchException("no operator running");
        await using var timeline = await BackupTimeline.StartAsync(session.Cluster.Client, Namespace, WatchScope.DataMoversAndParts, ct);
        var dataMovers = session.Cluster.Client.Resource(BenchResources.DataMovers);

        // One backup before the measured ones, as every benchmark warms up: it pays what happens once per process or
        // namespace (a JIT build's first compilations, the namespace's mover ServiceAccount), not per backup.
        BenchSession.Progress("P1: one warm-up backup (not measured)");
        await BackupAsync(timeline, dataMovers, "warm-up", ct);
        BenchSession.Progress($"P1: {count} backups one after another (no-op mover)");
        var requestsBefore = await op.ScrapeRequestsAsync(ct);
        var meter = session.Meter();
        for (var i = 0; i < count; i++)
        {
            await BackupAsync(timeline, dataMovers, $"seq-{i:000}", ct);
        }

        // The clone deletion and last status write may land just after Completed is seen.
        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        var costs = meter.Stop();
        var requests = await op.ScrapeRequestsAsync(ct) - requestsBefore;

        var records = timeline.Records.Where(r => r.Name.StartsWith("seq-", StringComparison.Ordinal)).ToList();
        var failed = records.Where(r => !r.Completed).ToList();
        var measured = records.Where(r => r.Completed && r.CloneBound != 0 && r.PodFinished != 0).ToList();
        var overhead = measured.Select(r => r.Overhead.TotalMilliseconds).ToList();
        var jobController = measured.Select(r => r.JobControllerTime.TotalMilliseconds).ToList();
        var p50 = Percentiles.Of(overhead, 50);
        var p99 = Percentiles.Of(overhead, 99);
        var jobP50 = Percentiles.Of(jobController, 50);
        // The side the overhead waits on most: the sandbox's job controller, or the operator and its API calls.
        var limiter = jobP50 > p50 / 2 ? "sandbox (job controller)" : "operator";
        var detail = string.Create(CultureInfo.InvariantCulture,
            $"{limiter}; p50 job controller {jobP50:0} ms; wall p50 {Percentiles.Of(measured.Select(r => r.Wall.TotalMilliseconds).ToList(), 50):0} ms, clone p50 {Percentiles.Of(measured.Select(r => r.CloneTime.TotalMilliseconds).ToList(), 50):0} ms, pod p50 {Percentiles.Of(measured.Select(r => r.PodTime.TotalMilliseconds).ToList(), 50):0} ms; {costs.Describe()}");
        var sample = string.Create(CultureInfo.InvariantCulture, $"over {measured.Count} sequential backups{(failed.Count > 0 ? $" ({failed.Count} failed: {failed[0].FailureMessage})" : "")}");

        if (options.Runs("P1"))
        {
            session.Table.Add(new ResultRow("P1 operator overhead p50", string.Create(CultureInfo.InvariantCulture, $"{p50:0} ms {sample}"), "≤ 50 ms", failed.Count == 0 ? p50 <= 50 : false, detail));
            session.Table.Add(new ResultRow("P1 operator overhead p99", string.Create(CultureInfo.InvariantCulture, $"{p99:0} ms"), "≤ 250 ms", failed.Count == 0 ? p99 <= 250 : false, limiter));
            session.Table.Add(new ResultRow("P1 operator CPU per backup", string.Create(CultureInfo.InvariantCulture, $"{costs.OperatorCpu / count * 1000:0} ms"), "–", null, "operator"));
        }

        if (options.Runs("P5"))
        {
            var writes = requests.Writes / count;
            session.Table.Add(new ResultRow("P5 API writes per backup", string.Create(CultureInfo.InvariantCulture, $"{writes:0.0} ({requests.Describe(count)})"), "≤ 10", writes <= 10, "operator"));
            session.Table.Add(new ResultRow("P5 API reads per backup", string.Create(CultureInfo.InvariantCulture, $"{requests.Reads / count:0.0} GET"), "–", null, "operator"));
        }
    }

    private static async Task BackupAsync(BackupTimeline timeline, ResourceClient<BenchDataMover> dataMovers, string name, CancellationToken ct)
    {
        await dataMovers.CreateAsync(BenchCluster.Backup(Namespace, name), ct);
        var record = timeline.Record(name);
        if (await Task.WhenAny(record.FinishedTask, Task.Delay(TimeSpan.FromSeconds(120), ct)) != record.FinishedTask)
        {
            throw new BenchException($"backup {Namespace}/{name} did not finish within 120 s (see the operator log)");
        }
    }

    /// <summary>The no-op mover never reads it, but the pod's envFrom needs the Secret to exist.</summary>
    public static IReadOnlyDictionary<string, string> NoopSecret { get; } = new Dictionary<string, string>
    {
        ["AWS_ACCESS_KEY_ID"] = "bench",
        ["AWS_SECRET_ACCESS_KEY"] = "bench-not-secret",
        ["BUCKET_HOST"] = "127.0.0.1",
        ["BUCKET_NAME"] = "bench",
    };
}
