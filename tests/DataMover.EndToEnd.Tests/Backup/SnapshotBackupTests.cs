using DataMover.EndToEnd.Tests.Support;
using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMoverResource = DataMover.Operator.Api.DataMover;

namespace DataMover.EndToEnd.Tests.Backup;

/// <summary>
/// copyMethod Snapshot end to end: the real mover backs up the volume restored from a VolumeSnapshot, and the
/// snapshot and the temporary PVC go afterwards (the sandbox snapshotter holds them by the external-snapshotter's
/// finalizers).
/// </summary>
public sealed class SnapshotBackupTests(BackupClusterFixture cluster) : IClassFixture<BackupClusterFixture>
{
    [Fact]
    public async Task Snapshot_backup_mirrors_the_source_and_cleans_up_its_snapshot_and_pvc()
    {
        var scenario = await cluster.NewScenarioAsync("snapshot-backup");
        var bucket = await scenario.NewBucketAsync("snapshot-backup");
        await scenario.CreateStorageSecretAsync("storage", bucket);
        var volume = await scenario.CreateSourceVolumeAsync("app-data");
        var tree = SampleTree.CreateSmall(volume);

        await scenario.DataMovers.CreateAsync(new DataMoverResource
        {
            Metadata = new ObjectMeta { Name = "backup", Namespace = scenario.Namespace },
            Spec = new DataMoverSpec { SourcePvc = "app-data", SecretName = "storage", CopyMethod = CopyMethods.Snapshot, DeletePvcAfterBackup = true },
        });
        var dm = await scenario.WaitForEndAsync("backup", "Completed");

        Assert.False(string.IsNullOrEmpty(dm.Status!.SnapshotName));
        var snapshots = cluster.Client.Resource(KubeResources.VolumeSnapshots);
        await scenario.WaitForAsync(snapshots, dm.Status.SnapshotName!, s => s is null, $"snapshot {dm.Status.SnapshotName} to be deleted", TimeSpan.FromSeconds(60));
        await scenario.WaitForAsync(scenario.Pvcs, dm.Status.RestoredPvcName!, pvc => pvc is null, $"temporary PVC {dm.Status.RestoredPvcName} to be deleted", TimeSpan.FromSeconds(60));
        await BucketContent.AssertMirrorsAsync(scenario, bucket, "", tree.FileHashes, dm);
    }
}
