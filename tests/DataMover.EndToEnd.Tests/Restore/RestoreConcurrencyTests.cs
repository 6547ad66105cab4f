using System.Runtime.Versioning;
using DataMover.EndToEnd.Tests.Backup;
using DataMover.EndToEnd.Tests.Support;
using DataMover.Kube.Models;
using DataMover.Operator.Api;
using Xunit.Abstractions;
using DataMoverResource = DataMover.Operator.Api.DataMover;

namespace DataMover.EndToEnd.Tests.Restore;

/// <summary>
/// DataMovers sharing one Secret (and so one bucket): timestamped ones never share a folder, and each restores only
/// its own volume; mirror-mode ones on one path take turns, and the bucket ends as the volume of the last.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class RestoreConcurrencyTests(BackupClusterFixture cluster, ITestOutputHelper output) : IClassFixture<BackupClusterFixture>
{
    [Fact]
    public async Task DataMovers_started_together_on_one_Secret_get_their_own_folders_and_restore_their_own_files()
    {
        var scenario = await cluster.NewScenarioAsync("same-second");
        var bucket = await scenario.NewBucketAsync("same-second");
        await scenario.CreateStorageSecretAsync("storage", bucket);
        var trees = new Dictionary<string, SampleTree>(StringComparer.Ordinal);
        foreach (var name in new[] { "a", "b" })
        {
            trees[name] = SampleTree.CreateSmall(await scenario.CreateSourceVolumeAsync("data-" + name));
            trees[name].Write($"only-in-{name}.txt", $"volume {name}\n");
            trees[name].Write("README.txt", $"volume {name} root file\n");
        }

        // Back to back: created within the same second, so timestamp folders alone would collide.
        var created = await Task.WhenAll(
            scenario.CreateDataMoverAsync("backup-a", "data-a", "storage", addTimestampPrefix: true),
            scenario.CreateDataMoverAsync("backup-b", "data-b", "storage", addTimestampPrefix: true));
        output.WriteLine($"created at {created[0].Metadata.CreationTimestamp:O} and {created[1].Metadata.CreationTimestamp:O}");
        var done = await Task.WhenAll(scenario.WaitForEndAsync("backup-a", "Completed"), scenario.WaitForEndAsync("backup-b", "Completed"));

        Assert.NotEqual(done[0].Status!.DestinationPrefix, done[1].Status!.DestinationPrefix);
        await BucketContent.AssertMirrorsAsync(scenario, bucket, done[0].Status!.DestinationPrefix + "/", trees["a"].FileHashes, done[0]);
        await BucketContent.AssertMirrorsAsync(scenario, bucket, done[1].Status!.DestinationPrefix + "/", trees["b"].FileHashes, done[1]);

        await Task.WhenAll(
            scenario.CreateRestoreAsync("restore-a", new DataMoverRestoreSource { FromDataMover = "backup-a" }, "restored-a"),
            scenario.CreateRestoreAsync("restore-b", new DataMoverRestoreSource { FromDataMover = "backup-b" }, "restored-b"));
        await Task.WhenAll(scenario.WaitForRestoreCompletedAsync("restore-a"), scenario.WaitForRestoreCompletedAsync("restore-b"));

        foreach (var name in new[] { "a", "b" })
        {
            var restored = VolumeFiles.Hash(await scenario.VolumePathAsync("restored-" + name));
            Assert.Equal(trees[name].FileHashes.OrderBy(e => e.Key, StringComparer.Ordinal), restored.OrderBy(e => e.Key, StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task Mirror_mode_DataMovers_on_one_destination_take_turns_and_the_last_one_wins()
    {
        var scenario = await cluster.NewScenarioAsync("mirror-turns");
        var bucket = await scenario.NewBucketAsync("mirror-turns");
        await scenario.CreateStorageSecretAsync("storage", bucket);
        var trees = new Dictionary<string, SampleTree>(StringComparer.Ordinal);
        foreach (var name in new[] { "a", "b" })
        {
            trees[name] = SampleTree.CreateSmall(await scenario.CreateSourceVolumeAsync("data-" + name));
            trees[name].Write($"only-in-{name}.txt", $"volume {name}\n");
            trees[name].Write("README.txt", $"volume {name} root file\n");
        }

        // A file of the same size but another time is updated in place by a server-side copy, which s3rver refuses
        // for a key with '+' (NoSuchKey): another size makes the second sync upload it instead.
        trees["b"].Write("symbols/a+b=c & d's (copy) #1.txt", "punctuation of volume b\n");

        await Task.WhenAll(
            scenario.CreateDataMoverAsync("mirror-a", "data-a", "storage", addTimestampPrefix: false, path: "mirror"),
            scenario.CreateDataMoverAsync("mirror-b", "data-b", "storage", addTimestampPrefix: false, path: "mirror"));
        var done = await Task.WhenAll(scenario.WaitForEndAsync("mirror-a", "Completed"), scenario.WaitForEndAsync("mirror-b", "Completed"));

        var runs = new List<(string Name, DataMoverResource DataMover, Job Job)>();
        foreach (var (name, dm) in new[] { ("a", done[0]), ("b", done[1]) })
        {
            runs.Add((name, dm, await scenario.Jobs.GetAsync(scenario.Namespace, dm.Status!.JobName!)));
        }

        runs.Sort((x, y) => Nullable.Compare(x.Job.Metadata.CreationTimestamp, y.Job.Metadata.CreationTimestamp));
        var (first, last) = (runs[0], runs[1]);
        var timeline = string.Join("; ", runs.Select(r => $"Job {r.Job.Metadata.Name} created {r.Job.Metadata.CreationTimestamp:O}, completed {r.Job.Status?.CompletionTime:O}"));
        output.WriteLine(timeline);
        Assert.True(first.Job.Status?.CompletionTime is not null, $"Job {first.Job.Metadata.Name} has no completionTime: {timeline}");
        // Both wrote to s3://bucket/mirror/: the second Job may only exist once the first has finished.
        Assert.True(
            last.Job.Metadata.CreationTimestamp >= first.Job.Status!.CompletionTime,
            $"the mirror-mode movers of one destination overlapped: {timeline}\n{await scenario.Diagnostics.DescribeAsync()}");

        await BucketContent.AssertMirrorsAsync(scenario, bucket, "mirror/", trees[last.Name].FileHashes, last.DataMover);
    }
}
