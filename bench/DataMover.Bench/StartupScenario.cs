namespace DataMover.Bench;

/// <summary>P4, first half: start-to-ready and idle RSS of each build on a cluster with no DataMovers.</summary>
internal static class StartupScenario
{
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(10);

    public static async Task RunAsync(BenchSession session, CancellationToken ct)
    {
        foreach (var binary in session.Binaries())
        {
            BenchSession.Progress($"P4: starting the {binary.Label} operator on an empty cluster");
            var op = await session.StartOperatorAsync(binary, BenchCluster.NoopMoverImage, ct);
            await Task.Delay(Settle, ct);
            var sample = op.Sample();
            session.Table.Add(new ResultRow($"P4 start to ready ({binary.Label})", BenchSession.Ms(op.StartToReady), "≤ 1000 ms", op.StartToReady <= TimeSpan.FromSeconds(1), "operator"));
            session.Table.Add(new ResultRow($"P4 RSS idle, empty cluster ({binary.Label})", BenchSession.Mib(sample.RssBytes), "≤ 60 MiB", sample.RssBytes <= 60L << 20, "operator"));
            await session.StopOperatorAsync();
        }

        if (session.AotUnavailable is { } reason)
        {
            session.Table.Add(new ResultRow("P4 (AOT)", $"AOT: not available ({reason})", "start ≤ 1000 ms, idle ≤ 60 MiB", null, "–"));
        }
    }
}
