using System.Globalization;

namespace DataMover.Bench;

/// <summary>
/// P2: one DataMover backup of a generated tree through the real mover to s3rver, then, in the same run and against
/// the same server, a raw rclone sync of the same tree, and a raw sync followed by a check.
/// </summary>
internal static class TransferScenario
{
    private const string Namespace = "bench-p2";
    private const string Bucket = "bench";

    public static async Task RunAsync(BenchSession session, CancellationToken ct)
    {
        var options = session.Options;
        BenchSession.Progress("P2: starting s3rver and the operator with the real mover");
        await using var s3 = await S3Server.StartAsync(options, session.WorkDir, ct);
        var rclone = new RawRclone(session.WorkDir, s3.Port);
        // The mover's settings never create buckets (no_check_bucket); the connection string overrides that once.
        await rclone.RunAsync(ct, "mkdir", $"{RawRclone.Remote},no_check_bucket=false:{Bucket}");
        await session.StartOperatorAsync(session.BackupBuild, null, ct);

        var source = await session.Cluster.PrepareNamespaceAsync(Namespace, new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = S3Server.Key,
            ["AWS_SECRET_ACCESS_KEY"] = S3Server.Key,
            ["AWS_REGION"] = "us-east-1",
            ["BUCKET_HOST"] = "127.0.0.1",
            ["BUCKET_PORT"] = s3.Port.ToString(CultureInfo.InvariantCulture),
            ["BUCKET_NAME"] = Bucket,
            ["TLS_HOST"] = "false",
        }, ct);
        var size = $"{options.TreeBytes >> 20} MiB / {options.TreeFiles:N0} files";
        BenchSession.Progress($"P2: writing {size} into the source PVC");
        await TreeGenerator.WriteAsync(source, options.TreeBytes, options.TreeFiles, ct);

        // s3rver, a test server, now and then answers a write under load with a short object or a 404. A raw run
        // that meets one is run again from scratch into a fresh prefix (the mover would retry the file itself), and
        // the table says how many were.
        var rerun = 0;
        async Task<(TimeSpan Sync, TimeSpan Check)> RawAsync(string prefix, bool withCheck)
        {
            for (var attempt = 1; ; attempt++)
            {
                var target = $"{RawRclone.Remote}:{Bucket}/{prefix}-{attempt}";
                try
                {
                    var synced = await rclone.RunAsync(ct, "sync", "--metadata", "--links", source + "/", target);
                    return (synced, withCheck ? await rclone.RunAsync(ct, "check", "--one-way", "--links", source + "/", target) : TimeSpan.Zero);
                }
                catch (BenchException e) when (attempt < 3)
                {
                    rerun++;
                    BenchSession.Progress($"P2: the raw run into {target} failed ({e.Message}); running it again");
                }
            }
        }

        // The server's bucket grows with every run, and a run may find the tree in the page cache after another: the
        // DataMover backup runs between the raw sync and the raw sync + check, so neither side gets only the easy slot.
        BenchSession.Progress("P2: raw rclone sync of the tree");
        var rawMeter = session.Meter(s3.Process.Sample);
        var (sync, _) = await RawAsync("raw-sync", withCheck: false);
        var rawCosts = rawMeter.Stop();

        BenchSession.Progress("P2: the DataMover backup");
        BackupRecord record;
        SideCosts dmCosts;
        string moverLog;
        await using (var timeline = await BackupTimeline.StartAsync(session.Cluster.Client, Namespace, WatchScope.DataMoversAndParts, ct))
        {
            var meter = session.Meter(s3.Process.Sample);
            record = timeline.Record("transfer");
            var log = CaptureMoverLogAsync(session, record, ct);
            await session.Cluster.Client.Resource(BenchResources.DataMovers).CreateAsync(BenchCluster.Backup(Namespace, "transfer"), ct);
            if (await Task.WhenAny(record.FinishedTask, Task.Delay(TimeSpan.FromMinutes(30), ct)) != record.FinishedTask)
            {
                throw new BenchException("the P2 backup did not finish within 30 min");
            }

            dmCosts = meter.Stop();
            moverLog = await log;
        }

        if (!record.Completed)
        {
            throw new BenchException($"the P2 backup failed: {record.FailureMessage}");
        }

        var (upload, verify) = MoverLogTimes.Parse(moverLog);

        BenchSession.Progress("P2: raw rclone sync + check");
        var (syncForCheck, check) = await RawAsync("raw-check", withCheck: true);

        var dm = record.Wall;
        var vsSync = dm / sync;
        var vsSyncCheck = dm / (syncForCheck + check);
        var podStart = BackupRecord.Span(record.PodCreated, record.PodRunning);
        var podRun = BackupRecord.Span(record.PodRunning, record.PodFinished);
        var rest = dm - record.CloneTime - record.PodTime;
        string S(TimeSpan? t) => t is { } v ? BenchSession.Seconds(v) : "n/a";
        var split = $"clone {S(record.CloneTime)}, pod start {S(podStart)}, pod run {S(podRun)} (upload {S(upload)}, verify {S(verify)}), operator and API {S(rest)}";
        // The biggest part beyond what a raw sync costs anyway is what limits the ratio.
        var extras = new (string Side, TimeSpan Time)[]
        {
            ("sandbox (clone copy)", record.CloneTime),
            ("sandbox (pod start)", podStart),
            ("mover (verify)", verify ?? TimeSpan.Zero),
            ("mover (rest of pod run)", podRun - (upload ?? podRun) - (verify ?? TimeSpan.Zero)),
            ("operator", rest),
        };
        var limiter = extras.MaxBy(e => e.Time).Side;

        session.Table.Add(new ResultRow($"P2 DataMover / raw rclone sync ({size})", string.Create(CultureInfo.InvariantCulture,
            $"{vsSync:0.00}× ({BenchSession.Seconds(dm)} vs {BenchSession.Seconds(sync)})"), "≤ 1.10×", vsSync <= 1.10, $"{limiter}; {split}"));
        session.Table.Add(new ResultRow("P2 DataMover / raw sync + check", string.Create(CultureInfo.InvariantCulture,
            $"{vsSyncCheck:0.00}× ({BenchSession.Seconds(dm)} vs {BenchSession.Seconds(syncForCheck)} + {BenchSession.Seconds(check)})"), "–", null,
            $"DataMover {dmCosts.Describe()}; raw sync {rawCosts.Describe()}{(rerun > 0 ? $"; raw runs repeated after an s3rver error: {rerun}" : "")}"));
    }

    /// <summary>The mover's log, followed from the moment its pod runs until the container ends.</summary>
    private static async Task<string> CaptureMoverLogAsync(BenchSession session, BackupRecord record, CancellationToken ct)
    {
        while (record.PodRunning == 0 && record.PodFinished == 0 && record.Finished == 0)
        {
            await Task.Delay(20, ct);
        }

        try
        {
            // Followed from the start, as kubectl logs -f does: once the mover is done the operator deletes its Job at
            // once, and a pod deleted before a later read would take its log along.
            return record.PodName is { } pod
                ? await session.Cluster.Kubectl.RunAsync(ct, "logs", "--follow", "-n", Namespace, pod)
                : "";
        }
        catch (BenchException e)
        {
            BenchSession.Progress($"P2: no mover log ({e.Message}); upload and verify are not split");
            return "";
        }
    }
}
