using System.Security.Cryptography;
using System.Text;
using DataMover.EndToEnd.Tests.Support;

namespace DataMover.EndToEnd.Tests.Backup;

/// <summary>
/// The main promise, end to end: a volume with what real volumes hold goes through clone → mover Job → rclone →
/// S3, and every byte comes back identical through the S3 API. Alone in its class (own cluster) because it moves
/// the most data; the other classes run next to it.
/// </summary>
public sealed class RealisticBackupTests(BackupClusterFixture cluster) : IClassFixture<BackupClusterFixture>
{
    [Fact]
    public async Task Realistic_volume_lands_in_the_bucket_byte_for_byte()
    {
        var scenario = await cluster.NewScenarioAsync("realistic");
        var bucket = await scenario.NewBucketAsync("realistic");
        await scenario.CreateStorageSecretAsync("storage", bucket);
        var volume = await scenario.CreateSourceVolumeAsync("app-data");
        // Nested folders, empty files and folders, spaces, non-ASCII names, 2000 small files and one 50 MB file.
        var tree = SampleTree.CreateRealistic(volume, smallFiles: 2000, largeFileBytes: 50 * 1024 * 1024);
        Directory.CreateDirectory(Path.Combine(volume, "empty folder"));
        Directory.CreateDirectory(Path.Combine(volume, "empty", "nested", "deeper"));
        // A symbolic link survives the clone and is stored as rclone's ".rclonelink" object holding its target.
        File.CreateSymbolicLink(Path.Combine(volume, "current"), "README.txt");
        var expected = tree.FileHashes.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        expected["current.rclonelink"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("README.txt")));

        await scenario.CreateDataMoverAsync("backup", "app-data", "storage");
        var dm = await scenario.WaitForEndAsync("backup", "Completed");

        Assert.Equal($"s3://{bucket}/", dm.Status!.Destination);
        // The source files as they are on disk after the backup: what was written, untouched by the backup.
        var onDisk = VolumeFiles.Hash(volume);
        Assert.Equal(tree.FileHashes.OrderBy(e => e.Key, StringComparer.Ordinal), onDisk.OrderBy(e => e.Key, StringComparer.Ordinal));
        await BucketContent.AssertMirrorsAsync(scenario, bucket, "", expected, dm);
        var objects = await scenario.S3.ListObjectsAsync(bucket);
        Assert.DoesNotContain(objects, o => o.Key.StartsWith("empty folder", StringComparison.Ordinal) || o.Key.StartsWith("empty/", StringComparison.Ordinal));
        Assert.Contains(objects, o => o.Key == "db/large.bin" && o.Size == 50 * 1024 * 1024);
    }
}
