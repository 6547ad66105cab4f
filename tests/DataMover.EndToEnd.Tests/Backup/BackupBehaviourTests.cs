using System.Globalization;
using System.Text.RegularExpressions;
using DataMover.EndToEnd.Tests.Support;
using Xunit.Abstractions;

namespace DataMover.EndToEnd.Tests.Backup;

/// <summary>How backups behave as users combine them: timestamped folders, concurrent DataMovers, repeated backups.</summary>
public sealed partial class BackupBehaviourTests(BackupClusterFixture cluster, ITestOutputHelper output) : IClassFixture<BackupClusterFixture>
{
    [Fact]
    public async Task Timestamp_prefix_puts_everything_in_the_one_folder_named_in_status_destination()
    {
        var scenario = await cluster.NewScenarioAsync("timestamp");
        var bucket = await scenario.NewBucketAsync("timestamp");
        await scenario.CreateStorageSecretAsync("storage", bucket);
        var volume = await scenario.CreateSourceVolumeAsync("app-data");
        var tree = SampleTree.CreateSmall(volume);
        // The folder name has whole seconds; the operator reads its clock after this.
        var now = DateTime.UtcNow;
        var before = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));

        await scenario.CreateDataMoverAsync("backup", "app-data", "storage", addTimestampPrefix: true);
        var dm = await scenario.WaitForEndAsync("backup", "Completed");

        var after = DateTime.UtcNow;
        var objects = await scenario.S3.ListObjectsAsync(bucket);
        var folder = Assert.Single(objects.Select(o => o.Key.Split('/')[0]).Distinct());
        Assert.Matches(TimestampFolder(), folder);
        var stamp = DateTime.ParseExact(folder, "yyyy-MM-dd-HHmmss", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        Assert.InRange(stamp, before, after);
        Assert.Equal($"s3://{bucket}/{folder}/", dm.Status!.Destination);
        await BucketContent.AssertMirrorsAsync(scenario, bucket, folder + "/", tree.FileHashes, dm);
    }

    [Fact]
    public async Task Two_DataMovers_of_one_source_at_once_fill_both_buckets()
    {
        var scenario = await cluster.NewScenarioAsync("concurrent");
        var first = await scenario.NewBucketAsync("concurrent-a");
        var second = await scenario.NewBucketAsync("concurrent-b");
        await scenario.CreateStorageSecretAsync("storage-a", first);
        await scenario.CreateStorageSecretAsync("storage-b", second);
        var volume = await scenario.CreateSourceVolumeAsync("app-data");
        var tree = SampleTree.CreateRealistic(volume, smallFiles: 300, largeFileBytes: 4 * 1024 * 1024);

        // Created back to back: both clones and both Jobs exist at the same time.
        await Task.WhenAll(
            scenario.CreateDataMoverAsync("backup-a", "app-data", "storage-a"),
            scenario.CreateDataMoverAsync("backup-b", "app-data", "storage-b"));
        var results = await Task.WhenAll(scenario.WaitForEndAsync("backup-a", "Completed"), scenario.WaitForEndAsync("backup-b", "Completed"));

        Assert.NotEqual(results[0].Status!.RestoredPvcName, results[1].Status!.RestoredPvcName);
        Assert.NotEqual(results[0].Status!.JobName, results[1].Status!.JobName);
        await BucketContent.AssertMirrorsAsync(scenario, first, "", tree.FileHashes, results[0]);
        await BucketContent.AssertMirrorsAsync(scenario, second, "", tree.FileHashes, results[1]);
    }

    [Fact]
    public async Task Second_backup_of_a_changed_volume_transfers_only_the_change()
    {
        var scenario = await cluster.NewScenarioAsync("incremental");
        var bucket = await scenario.NewBucketAsync("incremental");
        await scenario.CreateStorageSecretAsync("storage", bucket);
        var volume = await scenario.CreateSourceVolumeAsync("app-data");
        var tree = SampleTree.CreateRealistic(volume, smallFiles: 200, largeFileBytes: 2 * 1024 * 1024);
        await scenario.CreateDataMoverAsync("monday", "app-data", "storage");
        var monday = await scenario.WaitForEndAsync("monday", "Completed");
        await BucketContent.AssertMirrorsAsync(scenario, bucket, "", tree.FileHashes, monday);
        // Baseline: every file was uploaded once (the Job may have needed a retry on a loaded machine: count the
        // uploads of every attempt).
        var first = await MoverRunAsync(scenario, monday.Status!.JobName!);
        var firstCopies = first.Attempts.Sum(a => CopiedLines(a.Log).Count);
        Assert.True(
            firstCopies == tree.FileHashes.Count,
            $"the first backup should upload each of the {tree.FileHashes.Count} files once, it uploaded {firstCopies}.\n{await scenario.Diagnostics.DescribeAsync("monday")}");

        // The application changes one file between backups; the next backup clones the volume as it is now.
        tree.Write("config/item-03.json", "{\"item\": 3, \"changed\": true}\n");
        await scenario.CreateDataMoverAsync("tuesday", "app-data", "storage");
        var tuesday = await scenario.WaitForEndAsync("tuesday", "Completed");

        var second = await MoverRunAsync(scenario, tuesday.Status!.JobName!);
        var copied = second.Attempts.SelectMany(a => CopiedLines(a.Log)).ToList();
        var context = $"mover log of the second backup:\n{second.Succeeded.Log}\n{await scenario.Diagnostics.DescribeAsync("tuesday")}";
        Assert.True(copied.Count == 1, $"expected rclone to copy exactly the changed file, it copied {copied.Count} (over {second.Attempts.Count} attempt(s)).\n{context}");
        Assert.Contains("config/item-03.json: Copied (replaced existing)", copied[0], StringComparison.Ordinal);
        // The mover's own summary counts what its run copied: normally that one file.
        var summary = $"sync complete: transferred {CopiedLines(second.Succeeded.Log).Count} files";
        Assert.True(second.Succeeded.Log.Contains(summary, StringComparison.Ordinal), $"the mover's summary should say \"{summary}\".\n{context}");
        await BucketContent.AssertMirrorsAsync(scenario, bucket, "", tree.FileHashes, tuesday);
    }

    private static List<string> CopiedLines(string log) =>
        [.. log.Split('\n').Where(line => line.Contains(": Copied (", StringComparison.Ordinal))];

    /// <summary>
    /// The logs (pods/log) of every pod of a finished Job, and its one successful pod; written to the test output,
    /// without rclone's per-file lines, so a retried attempt is visible even when the test passes.
    /// </summary>
    private async Task<MoverRun> MoverRunAsync(BackupScenario scenario, string jobName)
    {
        var attempts = new List<(string Pod, string Phase, string Log)>();
        foreach (var pod in await scenario.PodsOfJobAsync(jobName))
        {
            var log = await scenario.PodLogAsync(pod.Metadata.Name!);
            attempts.Add((pod.Metadata.Name!, pod.Status?.Phase ?? "", log));
            output.WriteLine($"--- log of {pod.Metadata.Name} ({pod.Status?.Phase}, Job {jobName}), without per-file lines");
            foreach (var line in log.Split('\n').Where(l => !l.Contains(" INFO  : ", StringComparison.Ordinal) || l.Contains("config/item-03", StringComparison.Ordinal)))
            {
                output.WriteLine(line);
            }
        }

        var succeeded = attempts.Where(a => a.Phase == "Succeeded").ToList();
        Assert.True(succeeded.Count == 1, $"expected one succeeded pod of Job {jobName}, found {succeeded.Count}.\n{await scenario.Diagnostics.DescribeAsync()}");
        return new MoverRun(attempts, succeeded[0]);
    }

    private sealed record MoverRun(IReadOnlyList<(string Pod, string Phase, string Log)> Attempts, (string Pod, string Phase, string Log) Succeeded);

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}-\d{6}$")]
    private static partial Regex TimestampFolder();
}
