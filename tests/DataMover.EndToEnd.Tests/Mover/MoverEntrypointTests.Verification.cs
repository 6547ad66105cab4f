using DataMover.EndToEnd.Tests.Support;

namespace DataMover.EndToEnd.Tests.Mover;

/// <summary>
/// How a backup is verified (docs/mover.md, "Verification and performance"): by the upload's own
/// checksums when every file was uploaded in this run, by a full <c>rclone check</c> otherwise.
/// </summary>
public sealed partial class MoverEntrypointTests
{
    private const string VerifiedDuringUpload = "verified during the upload";
    private const string FullCheck = "verifying (hash)";

    [Fact]
    public async Task Fresh_folder_is_verified_by_the_uploads_checksums_without_a_second_pass()
    {
        var bucket = await NewBucketAsync("inflight");
        var tree = SampleTree.CreateSmall(Path.Combine(_scratch, "data"));

        var result = await MoverRunner.RunAsync(tree.Root, Pod(bucket, ("DATAMOVER_DESTINATION_PREFIX", "fresh")));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"{VerifiedDuringUpload}: all {tree.FileHashes.Count} files were uploaded in this run", result.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(FullCheck, result.StandardOutput, StringComparison.Ordinal);
        Assert.Equal("hash", result.Field("verified"));
        Assert.Contains($"verified {tree.FileHashes.Count} files (hash, during the upload)", result.Field("message"), StringComparison.Ordinal);
        Assert.Matches(@"mover: timings: probe [0-9.]+ s, sync [0-9.]+ s, size [0-9.]+ s, verify [0-9.]+ s, manifest [0-9.]+ s; total [0-9.]+ s", result.StandardOutput);
        await AssertBucketHoldsAsync(bucket, "fresh/", tree.FileHashes);
    }

    [Fact]
    public async Task Files_the_sync_found_at_the_destination_are_verified_by_a_full_check()
    {
        var bucket = await NewBucketAsync("recheck");
        var tree = SampleTree.CreateSmall(Path.Combine(_scratch, "data"));
        var pod = Pod(bucket, ("DATAMOVER_DESTINATION_PREFIX", "mirror"));
        var first = await MoverRunner.RunAsync(tree.Root, pod);
        Assert.True(first.ExitCode == 0, first.ToString());

        tree.Write("config/item-03.json", "{\"item\": 3, \"changed\": true}\n");
        var second = await MoverRunner.RunAsync(tree.Root, pod);

        // One file uploaded, the others compared by size and time only: their content is checked.
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains(FullCheck, second.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(VerifiedDuringUpload, second.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"verified {tree.FileHashes.Count} files (hash)", second.Field("message"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RCLONE_IGNORE_CHECKSUM")]
    [InlineData("RCLONE_S3_DISABLE_CHECKSUM")]
    [InlineData("RCLONE_S3_NO_HEAD")]
    public async Task Variables_that_weaken_the_uploads_checksum_bring_back_the_full_check(string variable)
    {
        var bucket = await NewBucketAsync("weakened");
        var tree = SampleTree.CreateSmall(Path.Combine(_scratch, "data"));

        var result = await MoverRunner.RunAsync(tree.Root, Pod(bucket, ("DATAMOVER_DESTINATION_PREFIX", "fresh"), (variable, "true")));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(FullCheck, result.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(VerifiedDuringUpload, result.StandardOutput, StringComparison.Ordinal);
        Assert.Equal("hash", result.Field("verified"));
    }
}
