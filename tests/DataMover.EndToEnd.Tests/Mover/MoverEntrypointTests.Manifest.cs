using System.Globalization;
using System.Text;
using System.Text.Json;
using DataMover.EndToEnd.Tests.Support;

namespace DataMover.EndToEnd.Tests.Mover;

/// <summary>The record a backup leaves (the manifest) and the result it reports (docs/mover-protocol.md).</summary>
public sealed partial class MoverEntrypointTests
{
    private const string ManifestName = ".datamover-manifest.json";

    [Fact]
    public async Task Backup_writes_its_manifest_and_a_one_line_result()
    {
        var bucket = await NewBucketAsync("manifest");
        var tree = SampleTree.CreateSmall(Path.Combine(_scratch, "data"));
        Directory.CreateDirectory(Path.Combine(tree.Root, "logs", "empty", "deeper"));
        File.SetUnixFileMode(Path.Combine(tree.Root, "logs", "empty"), (UnixFileMode)0b111_101_000);
        Directory.CreateDirectory(Path.Combine(tree.Root, "quote\" and\nnewline é"));
        var emptyTime = new DateTime(2026, 11, 30, 8, 50, 0, DateTimeKind.Utc);
        Directory.SetLastWriteTimeUtc(Path.Combine(tree.Root, "logs", "empty"), emptyTime);
        // A volume file with the manifest's name: skipped at the root, ordinary data below it.
        File.WriteAllText(Path.Combine(tree.Root, ManifestName), "{\"forged\": true}");
        tree.Write("sub/" + ManifestName, "data\n");
        var before = DateTime.UtcNow.AddSeconds(-1);

        var result = await MoverRunner.RunAsync(tree.Root, Pod(
            bucket,
            ("DATAMOVER_PATH", "/team-a/"),
            ("DATAMOVER_DESTINATION_PREFIX", "2026-11-30-085704"),
            ("DATAMOVER_NAME", "backup-web-data"),
            ("DATAMOVER_NAMESPACE", "apps"),
            ("DATAMOVER_UID", "0b5d6c1e-uid"),
            ("DATAMOVER_SOURCE_PVC", "web-app-data"),
            ("DATAMOVER_SOURCE_CAPACITY", "10Gi"),
            ("NOT_A_STORAGE_KEY", "x")));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"warning: /data/{ManifestName} is skipped", MoverRunner.SandboxAvailable ? result.StandardOutput : result.StandardOutput.Replace(tree.Root, "/data", StringComparison.Ordinal), StringComparison.Ordinal);
        await AssertBucketHoldsAsync(bucket, "team-a/2026-11-30-085704/", tree.FileHashes);

        var manifest = JsonDocument.Parse(await _s3.ReadObjectAsync(bucket, $"team-a/2026-11-30-085704/{ManifestName}")).RootElement;
        Assert.Equal(1, manifest.GetProperty("formatVersion").GetInt32());
        Assert.Equal("DataMoverBackup", manifest.GetProperty("kind").GetString());
        Assert.Equal("backup-web-data", manifest.GetProperty("dataMover").GetProperty("name").GetString());
        Assert.Equal("apps", manifest.GetProperty("dataMover").GetProperty("namespace").GetString());
        Assert.Equal("0b5d6c1e-uid", manifest.GetProperty("dataMover").GetProperty("uid").GetString());
        Assert.Equal("web-app-data", manifest.GetProperty("sourcePvc").GetString());
        Assert.Equal("10Gi", manifest.GetProperty("sourceCapacity").GetString());
        Assert.Equal("team-a", manifest.GetProperty("path").GetString());
        Assert.Equal("2026-11-30-085704", manifest.GetProperty("folder").GetString());
        Assert.Equal(tree.FileHashes.Count, manifest.GetProperty("files").GetInt64());
        Assert.Equal(TreeBytes(tree), manifest.GetProperty("bytes").GetInt64());
        Assert.Equal("hash", manifest.GetProperty("verified").GetString());
        Assert.True(manifest.GetProperty("metadata").GetBoolean());
        Assert.False(manifest.GetProperty("encrypted").GetBoolean());
        Assert.StartsWith("v1.", manifest.GetProperty("rcloneVersion").GetString(), StringComparison.Ordinal);
        var start = ParseTime(manifest.GetProperty("startTime"));
        var end = ParseTime(manifest.GetProperty("endTime"));
        Assert.InRange(start, TruncateToSeconds(before), end);
        Assert.InRange(end, start, DateTime.UtcNow);

        var directories = manifest.GetProperty("directories").EnumerateArray()
            .ToDictionary(entry => entry.GetProperty("path").GetString()!, StringComparer.Ordinal);
        var expectedDirectories = Directory.EnumerateDirectories(tree.Root, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(tree.Root, path).Replace('\\', '/')).Append("").Order(StringComparer.Ordinal);
        Assert.Equal(expectedDirectories, directories.Keys.Order(StringComparer.Ordinal));
        var empty = directories["logs/empty"];
        Assert.Equal("0750", empty.GetProperty("mode").GetString());
        Assert.Equal(emptyTime, ParseTime(empty.GetProperty("mtime")));
        Assert.True(empty.GetProperty("uid").GetInt64() >= 0);
        Assert.True(empty.GetProperty("gid").GetInt64() >= 0);
        Assert.Contains("quote\" and\nnewline é", directories.Keys);

        Assert.DoesNotContain('\n', result.TerminationMessage);
        Assert.True(Encoding.UTF8.GetByteCount(result.TerminationMessage) <= 4096);
        var json = result.Json;
        Assert.Equal("DataMoverResult", result.Field("kind"));
        Assert.Equal(1, json.GetProperty("formatVersion").GetInt32());
        Assert.Equal("backup", result.Field("mode"));
        Assert.Equal("Succeeded", result.Field("outcome"));
        Assert.Equal("team-a", result.Field("path"));
        Assert.Equal("2026-11-30-085704", result.Field("folder"));
        Assert.Equal($"s3://{bucket}/team-a/2026-11-30-085704/", result.Field("destination"));
        Assert.Equal(tree.FileHashes.Count, json.GetProperty("files").GetInt64());
        Assert.Equal(TreeBytes(tree), json.GetProperty("bytes").GetInt64());
        Assert.Equal("hash", result.Field("verified"));
        Assert.Equal(["NOT_A_STORAGE_KEY"], json.GetProperty("ignoredSecretKeys").EnumerateArray().Select(key => key.GetString()));
        Assert.Contains("verified", result.Field("message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Result_shortens_a_long_ignored_key_list_but_stays_valid_json()
    {
        var bucket = await NewBucketAsync("longresult");
        var tree = SampleTree.CreateSmall(Path.Combine(_scratch, "data"));
        var pod = Pod(bucket, ("DATAMOVER_DESTINATION_PREFIX", "long"));
        for (var i = 0; i < 300; i++)
        {
            pod[$"DATAMOVER_SECRET_UNUSED_KEY_WITH_A_RATHER_LONG_NAME_{i:000}"] = "value";
        }

        var result = await MoverRunner.RunAsync(tree.Root, pod);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(Encoding.UTF8.GetByteCount(result.TerminationMessage) <= 4096, $"{result.TerminationMessage.Length} bytes");
        var ignored = result.Json.GetProperty("ignoredSecretKeys").GetArrayLength();
        Assert.InRange(ignored, 1, 299);
        Assert.Contains("300 Secret keys ignored, list shortened", result.Field("message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mirror_mode_writes_the_manifest_at_the_path_and_keeps_it_across_runs()
    {
        var bucket = await NewBucketAsync("mirror");
        var tree = SampleTree.CreateSmall(Path.Combine(_scratch, "data"));
        var pod = Pod(bucket, ("DATAMOVER_PATH", "mirror"), ("DATAMOVER_DESTINATION_PREFIX", ""));

        var first = await MoverRunner.RunAsync(tree.Root, pod);
        tree.Delete("config/item-07.json");
        var second = await MoverRunner.RunAsync(tree.Root, pod);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal("", second.Field("folder"));
        Assert.Equal("mirror", second.Field("path"));
        Assert.Equal($"s3://{bucket}/mirror/", second.Field("destination"));
        Assert.DoesNotContain(ManifestName, second.StandardOutput.Split('\n').Where(line => line.Contains("Deleted", StringComparison.Ordinal)));
        await AssertBucketHoldsAsync(bucket, "mirror/", tree.FileHashes);
        var manifest = JsonDocument.Parse(await _s3.ReadObjectAsync(bucket, $"mirror/{ManifestName}")).RootElement;
        Assert.Equal("", manifest.GetProperty("folder").GetString());
        Assert.Equal(tree.FileHashes.Count, manifest.GetProperty("files").GetInt64());
    }

    private static long TreeBytes(SampleTree tree) =>
        tree.FileHashes.Keys.Sum(path => new FileInfo(Path.Combine(tree.Root, path)).Length);

    /// <summary>An RFC 3339 time; .NET parses at most 7 fraction digits, the manifest has nanoseconds.</summary>
    private static DateTime ParseTime(JsonElement value) =>
        DateTime.Parse(
            NanosecondFraction().Replace(value.GetString()!, "$1"),
            CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    [System.Text.RegularExpressions.GeneratedRegex(@"(\.\d{7})\d+")]
    private static partial System.Text.RegularExpressions.Regex NanosecondFraction();
}
