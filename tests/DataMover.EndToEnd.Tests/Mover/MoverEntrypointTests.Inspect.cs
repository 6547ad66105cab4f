using DataMover.EndToEnd.Tests.Support;

namespace DataMover.EndToEnd.Tests.Mover;

/// <summary>MOVER_MODE=inspect: what a restore would restore, read from the manifest, without any volume.</summary>
public sealed partial class MoverEntrypointTests
{
    [Fact]
    public async Task Inspect_resolves_latest_and_reports_the_manifest_without_a_volume()
    {
        var bucket = await NewBucketAsync("inspect");
        var older = SampleTree.CreateSmall(Path.Combine(_scratch, "older"));
        var newer = SampleTree.CreateSmall(Path.Combine(_scratch, "newer"));
        newer.Write("only-in-newer.txt", "newest\n");
        var first = await MoverRunner.RunAsync(older.Root, Pod(bucket, ("DATAMOVER_PATH", "p"), ("DATAMOVER_DESTINATION_PREFIX", "zz-older"), ("DATAMOVER_SOURCE_CAPACITY", "1Gi")));
        Assert.True(first.ExitCode == 0, first.ToString());
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        var second = await MoverRunner.RunAsync(newer.Root, Pod(bucket, ("DATAMOVER_PATH", "p"), ("DATAMOVER_DESTINATION_PREFIX", "aa-newer"), ("DATAMOVER_SOURCE_CAPACITY", "3Gi")));
        Assert.True(second.ExitCode == 0, second.ToString());
        await PutRawObjectAsync(bucket, "p/zzz-incomplete/data.txt", "an interrupted backup");

        // No volume at /data at all: inspect mode must not look there.
        var missing = Path.Combine(_scratch, "no-volume-here");
        var inspect = await MoverRunner.RunAsync(
            missing,
            Pod(bucket, ("MOVER_MODE", "inspect"), ("DATAMOVER_PATH", "p"), ("DATAMOVER_RESTORE_FOLDER", "latest")),
            new MoverRunOptions { Direct = true });

        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        Assert.False(Directory.Exists(missing));
        Assert.Equal("DataMoverResult", inspect.Field("kind"));
        Assert.Equal("inspect", inspect.Field("mode"));
        Assert.Equal("Succeeded", inspect.Field("outcome"));
        Assert.Equal("p", inspect.Field("path"));
        Assert.Equal("aa-newer", inspect.Field("folder"));
        Assert.Equal("3Gi", inspect.Field("sourceCapacity"));
        Assert.Equal(second.Json.GetProperty("files").GetInt64(), inspect.Json.GetProperty("files").GetInt64());
        Assert.Equal(second.Json.GetProperty("bytes").GetInt64(), inspect.Json.GetProperty("bytes").GetInt64());
        Assert.False(inspect.Json.TryGetProperty("verified", out _));
        Assert.Single(inspect.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith('{'));
    }

    [Fact]
    public async Task Inspect_of_a_named_folder_without_capacity_reports_an_empty_source_capacity()
    {
        var bucket = await NewBucketAsync("inspectnamed");
        var tree = SampleTree.CreateSmall(Path.Combine(_scratch, "tree"));
        var backup = await MoverRunner.RunAsync(tree.Root, Pod(bucket, ("DATAMOVER_PATH", "team/2026-11-30-085704")));
        Assert.True(backup.ExitCode == 0, backup.ToString());

        var inspect = await MoverRunner.RunAsync(
            Path.Combine(_scratch, "no-volume-here"),
            Pod(bucket, ("MOVER_MODE", "inspect"), ("DATAMOVER_PATH", "team/2026-11-30-085704"), ("DATAMOVER_RESTORE_FOLDER", "")),
            new MoverRunOptions { Direct = true });

        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        Assert.Equal("team/2026-11-30-085704", inspect.Field("path"));
        Assert.Equal("", inspect.Field("folder"));
        Assert.Equal("", inspect.Field("sourceCapacity"));
        Assert.Equal(backup.Json.GetProperty("bytes").GetInt64(), inspect.Json.GetProperty("bytes").GetInt64());
    }

    [Theory]
    [InlineData("latest", "no complete backup under s3://{bucket}/empty-path/")]
    [InlineData("no-such-folder", "folder no-such-folder not found under s3://{bucket}/empty-path/")]
    [InlineData("incomplete", "folder incomplete under s3://{bucket}/empty-path/ has no .datamover-manifest.json")]
    [InlineData("", "s3://{bucket}/empty-path/ has no .datamover-manifest.json")]
    public async Task Inspect_failures_are_one_clear_line(string folder, string expected)
    {
        var bucket = await NewBucketAsync("inspectfail");
        await PutRawObjectAsync(bucket, "empty-path/incomplete/data.txt", "no manifest here");

        var result = await MoverRunner.RunAsync(
            Path.Combine(_scratch, "no-volume-here"),
            Pod(bucket, ("MOVER_MODE", "inspect"), ("DATAMOVER_PATH", "empty-path"), ("DATAMOVER_RESTORE_FOLDER", folder)),
            new MoverRunOptions { Direct = true });

        AssertFailure(result, exitCode: 2, expected.Replace("{bucket}", bucket, StringComparison.Ordinal));
        Assert.DoesNotContain('{', result.TerminationMessage);
    }
}
