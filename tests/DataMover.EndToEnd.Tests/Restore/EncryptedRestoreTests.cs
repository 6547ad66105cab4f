using System.Runtime.Versioning;
using System.Text;
using DataMover.EndToEnd.Tests.Backup;
using DataMover.EndToEnd.Tests.Support;
using DataMover.Operator.Api;

namespace DataMover.EndToEnd.Tests.Restore;

/// <summary>
/// Encryption at rest through the operator: a Secret with ENCRYPTION_PASSWORD gives a backup nobody can read in the
/// bucket, a restore with the same Secret gives the volume back, and one without the key fails with the mover's reason.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class EncryptedRestoreTests(BackupClusterFixture cluster) : IClassFixture<BackupClusterFixture>
{
    private const string Password = "canary-e2e-crypt-password-5b7d";
    private const string PlaintextCanary = "PLAINTEXT-E2E-CANARY-30c9";

    [Fact]
    public async Task Encrypted_backup_is_unreadable_in_the_bucket_restores_with_the_key_and_fails_clearly_without()
    {
        var scenario = await cluster.NewScenarioAsync("crypt");
        var bucket = await scenario.NewBucketAsync("crypt");
        await scenario.CreateStorageSecretAsync("storage-encrypted", bucket, ("ENCRYPTION_PASSWORD", Password));
        await scenario.CreateStorageSecretAsync("storage-plain", bucket);
        var volume = await scenario.CreateSourceVolumeAsync("app-data");
        var tree = SampleTree.CreateSmall(volume);
        tree.Write("canary.txt", PlaintextCanary + "\n");

        await scenario.CreateDataMoverAsync("backup", "app-data", "storage-encrypted", addTimestampPrefix: true, path: "team-x");
        var dm = await scenario.WaitForEndAsync("backup", "Completed");

        var objects = await scenario.S3.ListObjectsAsync(bucket);
        Assert.Contains(objects, o => o.Key == "team-x/.datamover-encrypted");
        foreach (var o in objects.Where(o => o.Key != "team-x/.datamover-encrypted"))
        {
            var name = o.Key["team-x/".Length..];
            Assert.DoesNotContain(dm.Status!.DestinationPrefix!, name, StringComparison.Ordinal);
            Assert.DoesNotContain("canary", name, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("config", name, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(PlaintextCanary, Encoding.Latin1.GetString(await scenario.S3.ReadObjectAsync(bucket, o.Key)), StringComparison.Ordinal);
        }

        await scenario.CreateRestoreAsync("restore", new DataMoverRestoreSource { SecretName = "storage-encrypted", Path = "team-x/latest" }, "restored", size: "1Gi");
        var restore = await scenario.WaitForRestoreCompletedAsync("restore");
        Assert.Equal(dm.Status!.DestinationPrefix, restore.Status!.Folder);
        var restored = await scenario.VolumePathAsync("restored");
        Assert.Equal(tree.FileHashes.OrderBy(e => e.Key, StringComparer.Ordinal), VolumeFiles.Hash(restored).OrderBy(e => e.Key, StringComparer.Ordinal));

        await scenario.CreateRestoreAsync("nokey", new DataMoverRestoreSource { SecretName = "storage-plain", Path = "team-x/latest" }, "restored-nokey", size: "1Gi");
        var failed = await scenario.WaitForAsync(
            scenario.Restores, "nokey", r => r?.Status?.Phase is "Completed" or "Failed", "DataMoverRestore nokey to end", TimeSpan.FromMinutes(5));
        Assert.Equal("Failed", failed!.Status!.Phase);
        var condition = failed.Status.Conditions?.FirstOrDefault(c => c.Type == "Failed");
        Assert.Contains("is encrypted; the Secret has no ENCRYPTION_PASSWORD", condition?.Message ?? "", StringComparison.Ordinal);
        Assert.DoesNotContain(Password, await scenario.Diagnostics.DescribeAsync(), StringComparison.Ordinal);
    }
}
