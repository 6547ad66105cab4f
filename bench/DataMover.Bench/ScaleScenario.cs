using System.Globalization;

namespace DataMover.Bench;

/// <summary>
/// P3, and what needs many DataMovers: N backups created at once (no-op mover) until all are Completed; the operator's
/// peak RSS with them cached (P4); requests over an idle window with them all Completed (P5); then each build restarted
/// on that cluster for its RSS with N cached.
/// </summary>
internal static class ScaleScenario
{
    private const string Namespace = "bench-p3";
    private const int CreateParallelism = 16;

    public static async Task RunAsync(BenchSession session, CancellationToken ct)
    {
        var options = session.Options;
        var count = options.ScaleCount;
        var full = !options.Quick;
        await session.Cluster.PrepareNamespaceAsync(Namespace, SequentialBackupScenario.NoopSecret, ct);
        var op = session.Operator ?? throw new BenchException("no operator running");
        var dataMovers = session.Cluster.Client.Resource(BenchResources.DataMovers);

        BenchSession.Progress($"P3: {count} backups created at once ({CreateParallelism} parallel creates)");
        SideCosts costs;
        List<BackupRecord> records;
        await using (var timeline = await BackupTimeline.StartAsync(session.Cluster.Client, Namespace, WatchScope.DataMovers, ct))
        {
            var meter = session.Meter();
            await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = CreateParallelism, CancellationToken = ct },
                async (i, token) => await dataMovers.CreateAsync(BenchCluster.Backup(Namespace, $"scale-{i:0000}"), token));
            BenchSession.Progress($"P3: all {count} created; waiting for them to finish");
            await timeline.WaitAllFinishedAsync(count, TimeSpan.FromMinutes(full ? 20 : 5), ct);
            costs = meter.Stop();
            records = [.. timeline.Records];
        }

        var finished = records.Where(r => r.Finished != 0).ToList();
        var completed = finished.Count(r => r.Completed);
        var latencies = finished.Select(r => r.Wall.TotalSeconds).ToList();
        var allDone = finished.Count == count;
        if (options.Runs("P3"))
        {
            var outcome = allDone ? $"{count} in {costs.Wall.TotalSeconds:0.0} s" : $"only {finished.Count} of {count} finished after {costs.Wall.TotalSeconds:0} s";
            if (completed != finished.Count)
            {
                outcome += $" ({finished.Count - completed} Failed: {finished.First(r => !r.Completed).FailureMessage})";
            }

            session.Table.Add(new ResultRow($"P3 {count} DataMovers at once: all Completed", outcome,
                "1,000 in ≤ 60 s", full ? allDone && completed == count && costs.Wall <= TimeSpan.FromSeconds(60) : null, $"{costs.BusiestSide}; {costs.Describe()}"));
            session.Table.Add(new ResultRow("P3 creation → Completed, median / p99", string.Create(CultureInfo.InvariantCulture,
                $"{Percentiles.Of(latencies, 50):0.0} s / {Percentiles.Of(latencies, 99):0.0} s"), "–", null, costs.BusiestSide));
            session.Table.Add(new ResultRow("P3 operator CPU per backup", string.Create(CultureInfo.InvariantCulture,
                $"{costs.OperatorCpu / count * 1000:0} ms (sandbox {costs.SandboxCpu / count * 1000:0} ms, pods {costs.PodCpu / count * 1000:0} ms)"), "–", null, "operator"));
        }

        if (options.Runs("P4"))
        {
            var peak = op.Sample().PeakRssBytes;
            session.Table.Add(new ResultRow($"P4 peak RSS with {count} DataMovers ({session.BackupBuild.Label}, during P3)", BenchSession.Mib(peak),
                "≤ 150 MiB with 1,000", full ? peak <= 150L << 20 : null, "operator"));
        }

        if (options.Runs("P5") && !allDone)
        {
            session.Table.Add(new ResultRow("P5 requests idle", "not measured: P3's backups had not all finished", "0 reads", null, "–"));
        }
        else if (options.Runs("P5"))
        {
            await Task.Delay(TimeSpan.FromSeconds(5), ct);
            BenchSession.Progress($"P5: counting the operator's requests over {options.IdleWindow.TotalSeconds:0} idle seconds with {completed} Completed DataMovers");
            var before = await op.ScrapeRequestsAsync(ct);
            await Task.Delay(options.IdleWindow, ct);
            var idle = await op.ScrapeRequestsAsync(ct) - before;
            session.Table.Add(new ResultRow($"P5 requests in {options.IdleWindow.TotalSeconds:0} s idle ({completed} Completed DataMovers)",
                idle.Total == 0 ? "0" : $"{idle.Total:0} ({idle.Describe(1)})", "0 reads", idle.Reads == 0, "operator"));
        }

        if (options.Runs("P4"))
        {
            foreach (var binary in session.Binaries())
            {
                BenchSession.Progress($"P4: restarting the {binary.Label} operator with {count} DataMovers to cache");
                var restarted = await session.StartOperatorAsync(binary, BenchCluster.NoopMoverImage, ct);
                await Task.Delay(StartupScenario.Settle, ct);
                var sample = restarted.Sample();
                session.Table.Add(new ResultRow($"P4 RSS after a restart with {count} cached ({binary.Label}): now / peak",
                    $"{BenchSession.Mib(sample.RssBytes)} / {BenchSession.Mib(sample.PeakRssBytes)}; ready in {BenchSession.Ms(restarted.StartToReady)}",
                    "≤ 150 MiB with 1,000", full ? sample.PeakRssBytes <= 150L << 20 : null, "operator"));
            }
        }
    }
}
