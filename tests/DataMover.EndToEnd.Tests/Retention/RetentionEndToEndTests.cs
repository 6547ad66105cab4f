using System.Runtime.Versioning;
using System.Text.Json;
using DataMover.EndToEnd.Tests.Backup;
using DataMover.EndToEnd.Tests.Support;
using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Operator.Api;

namespace DataMover.EndToEnd.Tests.Retention;

/// <summary>
/// spec.retention end to end: a minutely schedule (its clock advanced by the test) backs up through the real mover
/// into s3rver, and after each verified run the prune Jobs list the bucket and delete what keepLast no longer keeps,
/// leaving another schedule's backup and a folder without manifest alone.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class RetentionEndToEndTests(ScheduleClusterFixture cluster) : IClassFixture<ScheduleClusterFixture>
{
    private const string Schedule = "minutely";
    private const string ManifestName = ".datamover-manifest.json";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task KeepLast3_after_five_runs_keeps_the_three_newest_complete_backups_and_nothing_foreign_is_touched()
    {
        var scenario = await cluster.NewScenarioAsync("retention");
        var bucket = await scenario.NewBucketAsync("retention");
        await scenario.CreateStorageSecretAsync("storage", bucket);
        var volume = await scenario.CreateSourceVolumeAsync("app-data");
        SampleTree.CreateSmall(volume);

        // Another schedule's complete backup (older than every run) and an incomplete one (files, no manifest).
        await cluster.S3.PutObjectAsync(bucket, $"nightly/foreign/{ManifestName}",
            """{"kind":"DataMoverBackup","formatVersion":1,"startTime":"2020-01-01T00:00:00Z","endTime":"2020-01-01T00:01:00Z","schedule":{"name":"other","uid":"0b7e5c1a-0000-4000-8000-00000000f00d"}}""");
        await cluster.S3.PutObjectAsync(bucket, "nightly/foreign/data.txt", "another schedule's data");
        await cluster.S3.PutObjectAsync(bucket, "nightly/incomplete/data.txt", "a backup that never finished");

        // Level the operator's clock with the API server's, so the schedule's creation is not in its future.
        var lag = DateTimeOffset.UtcNow - cluster.Clock.GetUtcNow();
        if (lag > TimeSpan.Zero)
        {
            cluster.Clock.Advance(lag);
        }

        var schedules = cluster.Client.Resource(DataMoverResources.Schedules);
        var created = await schedules.CreateAsync(new DataMoverSchedule
        {
            Metadata = new ObjectMeta { Name = Schedule, Namespace = scenario.Namespace },
            Spec = new DataMoverScheduleSpec
            {
                Schedule = "* * * * *",
                SourcePvc = "app-data",
                SecretName = "storage",
                Path = "nightly",
                AddTimestampPrefix = true,
                DeletePvcAfterBackup = true,
                SuccessfulJobsHistoryLimit = 5,
                Retention = new RetentionPolicy { KeepLast = 3 },
            },
        });

        var folders = new List<string>();
        string? previous = null;
        for (var i = 0; i < 5; i++)
        {
            var now = cluster.Clock.GetUtcNow();
            cluster.Clock.Advance(new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(1) - now + TimeSpan.FromSeconds(1));
            var run = await NextRunAsync(scenario, previous);
            var done = await scenario.WaitForEndAsync(run, "Completed");
            folders.Add(done.Status!.DestinationPrefix!);
            // Each run's prune is over before the next run starts, so every prune sees every earlier run.
            await PrunedAfterAsync(schedules, scenario.Namespace, run);
            previous = run;
        }

        var objects = await cluster.S3.ListObjectsAsync(bucket, "nightly/");
        var left = objects.Select(o => o.Key.Split('/')[1]).Distinct().Order(StringComparer.Ordinal).ToArray();
        Assert.Equal([.. folders.TakeLast(3).Append("foreign").Append("incomplete").Order(StringComparer.Ordinal)], left);
        Assert.Contains(objects, o => o.Key == "nightly/incomplete/data.txt");
        Assert.Contains(objects, o => o.Key == "nightly/foreign/data.txt");
        Assert.DoesNotContain(objects, o => o.Key.EndsWith(".datamover-pruning", StringComparison.Ordinal));

        // The kept backups are whole and record their schedule.
        foreach (var folder in folders.TakeLast(3))
        {
            using var manifest = JsonDocument.Parse(await cluster.S3.ReadObjectAsync(bucket, $"nightly/{folder}/{ManifestName}"));
            Assert.Equal(created.Metadata.Uid, manifest.RootElement.GetProperty("schedule").GetProperty("uid").GetString());
            Assert.Contains(objects, o => o.Key.StartsWith($"nightly/{folder}/", StringComparison.Ordinal) && !o.Key.EndsWith(ManifestName, StringComparison.Ordinal));
        }

        var status = (await schedules.GetAsync(scenario.Namespace, Schedule)).Status!.Retention!;
        Assert.Equal((3, folders[2], 1), (status.Kept, status.OldestKept, status.Pruned));
        Assert.Equal(previous, status.LastRun);
        await schedules.DeleteAsync(scenario.Namespace, Schedule);
    }

    private static async Task<string> NextRunAsync(BackupScenario scenario, string? previous)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var runs = (await scenario.DataMovers.ListAsync(scenario.Namespace, new ListOptions { LabelSelector = "datamover.a-cup-of.coffee/schedule=" + Schedule })).Items;
            var next = runs.Select(r => r.Metadata.Name!).Where(n => previous is null || string.CompareOrdinal(n, previous) > 0).Order(StringComparer.Ordinal).FirstOrDefault();
            if (next is not null)
            {
                return next;
            }

            Assert.True(DateTime.UtcNow < deadline, "no scheduled run after " + (previous ?? "the start"));
            await Task.Delay(200);
        }
    }

    private static async Task PrunedAfterAsync(ResourceClient<DataMoverSchedule> schedules, string ns, string run)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var status = (await schedules.GetAsync(ns, Schedule)).Status;
            if (status?.Retention?.LastRun == run)
            {
                var condition = status.Conditions?.FirstOrDefault(c => c.Type == "Retention");
                Assert.True(condition?.Status == "True", $"the prune after {run}: {condition?.Reason}: {condition?.Message}");
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no prune after {run}: {JsonSerializer.Serialize(status, OperatorJsonContext.Default.DataMoverScheduleStatus)}");
            await Task.Delay(200);
        }
    }
}
