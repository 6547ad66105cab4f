using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using DataMover.EndToEnd.Tests.Backup;
using DataMover.EndToEnd.Tests.Support;
using DataMover.Kube.Models;
using DataMover.Operator.Api;

namespace DataMover.EndToEnd.Tests.Restore;

/// <summary>
/// Backup, then DataMoverRestore into a new PVC, through the operator, the Jobs and the real mover: what comes back
/// is the volume that was backed up.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class RestoreRoundTripTests(BackupClusterFixture cluster) : IClassFixture<BackupClusterFixture>
{
    [Fact]
    public async Task Restore_from_a_DataMover_gives_back_the_volume_as_it_was()
    {
        var scenario = await cluster.NewScenarioAsync("roundtrip");
        var bucket = await scenario.NewBucketAsync("roundtrip");
        await scenario.CreateStorageSecretAsync("storage", bucket);
        var volume = await scenario.CreateSourceVolumeAsync("app-data");
        FaithfulTree.Create(volume);
        var source = FaithfulTree.Snapshot(volume);

        await scenario.CreateDataMoverAsync("backup", "app-data", "storage", addTimestampPrefix: true, path: "team-a");
        var dm = await scenario.WaitForEndAsync("backup", "Completed");
        // Links are stored as ".rclonelink" objects holding their targets; the dangling one too.
        var expected = VolumeFiles.Hash(volume).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        foreach (var (link, target) in new[] { ("current", "etc/config.json"), ("bin/up", "../etc"), ("dangling", "does/not/exist") })
        {
            expected[link + ".rclonelink"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(target)));
        }

        var folder = dm.Status!.DestinationPrefix!;
        await BucketContent.AssertMirrorsAsync(scenario, bucket, $"team-a/{folder}/", expected, dm);

        await scenario.CreateRestoreAsync("restore", new DataMoverRestoreSource { FromDataMover = "backup" }, "restored");
        var restore = await scenario.WaitForRestoreCompletedAsync("restore");

        Assert.Equal(folder, restore.Status!.Folder);
        Assert.Equal("team-a", restore.Status.Path);
        Assert.Equal("restored", restore.Status.TargetPvc);
        Assert.Equal(expected.Count, restore.Status.Files);
        var restored = await scenario.VolumePathAsync("restored");
        var (expectedTree, actualTree) = (string.Join('\n', source), string.Join('\n', FaithfulTree.Snapshot(restored)));
        if (expectedTree != actualTree)
        {
            var pods = await scenario.PodsOfJobAsync(restore.Status.JobName!);
            var log = pods.Count == 0 ? "no pod" : await scenario.PodLogAsync(pods[^1].Metadata.Name!);
            Assert.Fail($"the restored tree differs from the source.\nsource:\n{expectedTree}\nrestored:\n{actualTree}\nmover log:\n{log}");
        }

        // The backup's own record is not data: it never lands in the volume.
        Assert.False(File.Exists(Path.Combine(restored, BucketContent.ManifestName)));
    }

    [Fact]
    public async Task Latest_restores_the_newest_complete_backup_under_the_prefix()
    {
        var scenario = await cluster.NewScenarioAsync("latest");
        var bucket = await scenario.NewBucketAsync("latest");
        await scenario.CreateStorageSecretAsync("storage", bucket);
        var volume = await scenario.CreateSourceVolumeAsync("app-data");
        var tree = SampleTree.CreateSmall(volume);
        await scenario.CreateDataMoverAsync("monday", "app-data", "storage", addTimestampPrefix: true, path: "team-b");
        var monday = await scenario.WaitForEndAsync("monday", "Completed");
        tree.Write("only-on-tuesday.txt", "tuesday\n");
        tree.Write("config/item-03.json", "{\"item\": 3, \"changed\": true}\n");
        tree.Delete("config/item-04.json");
        await scenario.CreateDataMoverAsync("tuesday", "app-data", "storage", addTimestampPrefix: true, path: "team-b");
        var tuesday = await scenario.WaitForEndAsync("tuesday", "Completed");
        Assert.NotEqual(monday.Status!.DestinationPrefix, tuesday.Status!.DestinationPrefix);
        // An interrupted backup sorts after both but has no manifest: never "latest".
        await scenario.S3.Client.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest
        {
            BucketName = bucket,
            Key = "team-b/9999-12-31-235959/partial.txt",
            ContentBody = "interrupted",
            UseChunkEncoding = false,
        });

        await scenario.CreateRestoreAsync("restore", new DataMoverRestoreSource { SecretName = "storage", Path = "team-b/latest" }, "restored", size: "1Gi");
        var restore = await scenario.WaitForRestoreCompletedAsync("restore");

        Assert.Equal(tuesday.Status.DestinationPrefix, restore.Status!.Folder);
        Assert.Equal("team-b", restore.Status.Path);
        Assert.Equal("latest", restore.Status.RequestedFolder);
        var restored = await scenario.VolumePathAsync("restored");
        Assert.Equal(tree.FileHashes.OrderBy(e => e.Key, StringComparer.Ordinal), VolumeFiles.Hash(restored).OrderBy(e => e.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Latest_without_a_size_gets_the_source_capacity_from_the_manifest()
    {
        var scenario = await cluster.NewScenarioAsync("inspect");
        var bucket = await scenario.NewBucketAsync("inspect");
        await scenario.CreateStorageSecretAsync("storage", bucket);
        // Not 1Gi: a size computed from the (small) data would give 1Gi, so only the manifest's capacity gives 3Gi.
        await scenario.Pvcs.CreateAsync(new PersistentVolumeClaim
        {
            Metadata = new ObjectMeta { Name = "app-data", Namespace = scenario.Namespace },
            Spec = new PersistentVolumeClaimSpec
            {
                StorageClassName = "standard",
                AccessModes = ["ReadWriteOnce"],
                Resources = new ResourceRequirements { Requests = new Dictionary<string, string> { ["storage"] = "3Gi" } },
            },
        });
        var volume = await scenario.VolumePathAsync("app-data");
        FaithfulTree.Create(volume);
        var source = FaithfulTree.Snapshot(volume);
        await scenario.CreateDataMoverAsync("backup", "app-data", "storage", addTimestampPrefix: true, path: "team-c");
        var dm = await scenario.WaitForEndAsync("backup", "Completed");

        await scenario.CreateRestoreAsync("restore", new DataMoverRestoreSource { SecretName = "storage", Path = "team-c/latest" }, "restored");
        var restore = await scenario.WaitForRestoreCompletedAsync("restore");

        var sourceCapacity = (await scenario.Pvcs.GetAsync(scenario.Namespace, "app-data")).Status!.Capacity!["storage"];
        Assert.Equal("3Gi", sourceCapacity);
        var target = await scenario.Pvcs.GetAsync(scenario.Namespace, "restored");
        Assert.Equal(sourceCapacity, target.Spec!.Resources!.Requests!["storage"]);
        Assert.Equal(dm.Status!.DestinationPrefix, restore.Status!.Folder);
        Assert.Equal(dm.Status.DestinationPrefix, restore.Status.RequestedFolder);
        Assert.Equal("restore-inspect", restore.Status.InspectJobName);
        Assert.Null(await scenario.Jobs.TryGetAsync(scenario.Namespace, "restore-inspect"));
        var restored = await scenario.VolumePathAsync("restored");
        Assert.Equal(string.Join('\n', source), string.Join('\n', FaithfulTree.Snapshot(restored)));
    }
}
