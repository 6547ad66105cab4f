using DataMover.EndToEnd.Tests.Support;

namespace DataMover.EndToEnd.Tests.Backup;

/// <summary>
/// deletePvcAfterBackup: the clone goes only after a successful backup that asked for it; otherwise it stays, so a
/// failed backup can be retried or inspected from the same point-in-time copy.
/// </summary>
public sealed class CloneRetentionTests(BackupClusterFixture cluster) : IClassFixture<BackupClusterFixture>
{
    /// <summary>How long a kept clone is watched for an unwanted deletion after the DataMover ended.</summary>
    private static readonly TimeSpan KeptFor = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Clone_is_deleted_after_a_successful_backup_that_asked_for_it()
    {
        var scenario = await cluster.NewScenarioAsync("delete-clone");
        var bucket = await scenario.NewBucketAsync("delete-clone");
        await scenario.CreateStorageSecretAsync("storage", bucket);
        var volume = await scenario.CreateSourceVolumeAsync("app-data");
        var tree = SampleTree.CreateSmall(volume);

        await scenario.CreateDataMoverAsync("backup", "app-data", "storage", deletePvcAfterBackup: true);
        var dm = await scenario.WaitForEndAsync("backup", "Completed");

        var clone = dm.Status!.RestoredPvcName!;
        await scenario.WaitForAsync(scenario.Pvcs, clone, pvc => pvc is null, $"clone {clone} to be deleted after the successful backup", TimeSpan.FromSeconds(60));
        await AssertVolumeReleasedAsync(scenario, clone);
        var source = await scenario.Pvcs.GetAsync(scenario.Namespace, "app-data");
        Assert.Equal("Bound", source.Status?.Phase);
        Assert.Null(source.Metadata.DeletionTimestamp);
        await BucketContent.AssertMirrorsAsync(scenario, bucket, "", tree.FileHashes, dm);
    }

    [Fact]
    public async Task Clone_is_kept_after_a_successful_backup_that_did_not_ask()
    {
        var scenario = await cluster.NewScenarioAsync("keep-clone");
        var bucket = await scenario.NewBucketAsync("keep-clone");
        await scenario.CreateStorageSecretAsync("storage", bucket);
        var volume = await scenario.CreateSourceVolumeAsync("app-data");
        SampleTree.CreateSmall(volume);

        await scenario.CreateDataMoverAsync("backup", "app-data", "storage", deletePvcAfterBackup: false);
        var dm = await scenario.WaitForEndAsync("backup", "Completed");

        await AssertCloneKeptAsync(scenario, dm.Status!.RestoredPvcName!);
    }

    [Fact]
    public async Task Clone_is_kept_when_the_backup_fails_even_if_deletion_was_asked()
    {
        var scenario = await cluster.NewScenarioAsync("failed-keeps");
        // The bucket is never created: the mover refuses to create buckets and fails every attempt.
        var bucket = S3ServerFixture.NewBucketName("absent");
        await scenario.CreateStorageSecretAsync("storage", bucket);
        var volume = await scenario.CreateSourceVolumeAsync("app-data");
        SampleTree.CreateSmall(volume);

        await scenario.CreateDataMoverAsync("backup", "app-data", "storage", deletePvcAfterBackup: true);
        var dm = await scenario.WaitForEndAsync("backup", "Failed");

        await scenario.AssertFailedBecauseAsync(dm, $"bucket {bucket} not found");
        await AssertCloneKeptAsync(scenario, dm.Status!.RestoredPvcName!);
        Assert.False(await scenario.S3.BucketExistsAsync(bucket), "the mover must never create the bucket");
    }

    /// <summary>The clone's volume goes too (reclaim policy Delete), so the copy does not linger on the node.</summary>
    private static async Task AssertVolumeReleasedAsync(BackupScenario scenario, string clone)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var volumes = await scenario.Pvs.ListAsync(null);
            var left = volumes.Items.Where(v => v.Spec?.ClaimRef?.Namespace == scenario.Namespace && v.Spec.ClaimRef.Name == clone).ToList();
            if (left.Count == 0)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                var paths = string.Join(", ", left.Select(v => $"{v.Metadata.Name} ({v.Status?.Phase}, {v.Spec?.HostPath?.Path})"));
                Assert.Fail($"the volume of deleted clone {clone} is still there after 60s: {paths}\n{await scenario.Diagnostics.DescribeAsync("backup")}");
            }

            // Polled: PVs are cluster-scoped and the claim's name is not a field selector.
            await Task.Delay(200);
        }
    }

    private static async Task AssertCloneKeptAsync(BackupScenario scenario, string clone)
    {
        // The DataMover is terminal, so the operator is done with it; a deletion would already be under way.
        await Task.Delay(KeptFor);
        var kept = await scenario.Pvcs.TryGetAsync(scenario.Namespace, clone);
        Assert.True(kept is not null, $"clone {clone} should be kept, but it is gone.\n{await scenario.Diagnostics.DescribeAsync("backup")}");
        Assert.True(kept.Metadata.DeletionTimestamp is null, $"clone {clone} should be kept, but it is being deleted.\n{await scenario.Diagnostics.DescribeAsync("backup")}");
        Assert.Equal("Bound", kept.Status?.Phase);
        Assert.Equal("app-data", kept.Spec?.DataSource?.Name);
    }
}
