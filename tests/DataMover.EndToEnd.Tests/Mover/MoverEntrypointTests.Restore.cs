using System.Security.Cryptography;
using DataMover.EndToEnd.Tests.Support;

namespace DataMover.EndToEnd.Tests.Mover;

/// <summary>MOVER_MODE=restore: a backup comes back into a fresh volume as it was.</summary>
public sealed partial class MoverEntrypointTests
{
    private static readonly DateTime OldTime = new(2024, 8, 6, 14, 30, 52, DateTimeKind.Utc);

    [Fact]
    public async Task Round_trip_restores_contents_modes_times_links_and_empty_directories()
    {
        var bucket = await NewBucketAsync("roundtrip");
        var source = CreateFaithfulTree(Path.Combine(_scratch, "source"), distinctOwners: false);
        var target = Directory.CreateDirectory(Path.Combine(_scratch, "target")).FullName;

        var backup = await MoverRunner.RunAsync(source, Pod(bucket, ("DATAMOVER_PATH", "team"), ("DATAMOVER_DESTINATION_PREFIX", "2026-11-30-085704")));
        Assert.True(backup.ExitCode == 0, backup.ToString());
        var restore = await MoverRunner.RunAsync(
            target,
            Pod(bucket, ("MOVER_MODE", "restore"), ("DATAMOVER_PATH", "team"), ("DATAMOVER_RESTORE_FOLDER", "2026-11-30-085704")),
            new MoverRunOptions { WritableData = true });

        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Equal("restore", restore.Field("mode"));
        Assert.Equal("Succeeded", restore.Field("outcome"));
        Assert.Equal("2026-11-30-085704", restore.Field("folder"));
        Assert.Equal("hash", restore.Field("verified"));
        Assert.Equal(backup.Json.GetProperty("files").GetInt64(), restore.Json.GetProperty("files").GetInt64());
        Assert.Equal(backup.Json.GetProperty("bytes").GetInt64(), restore.Json.GetProperty("bytes").GetInt64());
        Assert.False(File.Exists(Path.Combine(target, ManifestName)));
        Assert.Equal(Snapshot(source, withOwners: false), Snapshot(target, withOwners: false));
    }

    [Fact]
    public async Task Round_trip_as_root_also_restores_owners()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            // Owners other than one's own can only be created by root.
            return;
        }

        var bucket = await NewBucketAsync("owners");
        var source = CreateFaithfulTree(Path.Combine(_scratch, "source"), distinctOwners: true);
        var target = Directory.CreateDirectory(Path.Combine(_scratch, "target")).FullName;
        var asRoot = new MoverRunOptions { AsRoot = true, WritableData = true };

        var backup = await MoverRunner.RunAsync(source, Pod(bucket, ("DATAMOVER_DESTINATION_PREFIX", "owners")), asRoot);
        Assert.True(backup.ExitCode == 0, backup.ToString());
        var restore = await MoverRunner.RunAsync(
            target, Pod(bucket, ("MOVER_MODE", "restore"), ("DATAMOVER_RESTORE_FOLDER", "owners")), asRoot);

        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Equal(Snapshot(source, withOwners: true), Snapshot(target, withOwners: true));
    }

    [Fact]
    public async Task Latest_restores_the_newest_complete_backup_and_ignores_incomplete_and_foreign_folders()
    {
        var bucket = await NewBucketAsync("latest");
        var older = SampleTree.CreateSmall(Path.Combine(_scratch, "older"));
        var newer = SampleTree.CreateSmall(Path.Combine(_scratch, "newer"));
        newer.Write("only-in-newer.txt", "newest\n");
        // Folder names sort the other way round: "latest" goes by the manifests' endTime.
        var first = await MoverRunner.RunAsync(older.Root, Pod(bucket, ("DATAMOVER_PATH", "p"), ("DATAMOVER_DESTINATION_PREFIX", "zz-older")));
        Assert.True(first.ExitCode == 0, first.ToString());
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        var second = await MoverRunner.RunAsync(newer.Root, Pod(bucket, ("DATAMOVER_PATH", "p"), ("DATAMOVER_DESTINATION_PREFIX", "aa-newer")));
        Assert.True(second.ExitCode == 0, second.ToString());
        await PutRawObjectAsync(bucket, "p/zzz-incomplete/data.txt", "an interrupted backup");
        await PutRawObjectAsync(bucket, "p/zzzz-foreign/" + ManifestName, "{\"kind\":\"SomethingElse\",\"endTime\":\"2999-01-01T00:00:00Z\"}");
        var target = Directory.CreateDirectory(Path.Combine(_scratch, "target")).FullName;

        var restore = await MoverRunner.RunAsync(
            target,
            Pod(bucket, ("MOVER_MODE", "restore"), ("DATAMOVER_PATH", "p"), ("DATAMOVER_RESTORE_FOLDER", "latest")),
            new MoverRunOptions { WritableData = true });

        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Equal("aa-newer", restore.Field("folder"));
        Assert.Equal("p", restore.Field("path"));
        Assert.Equal(newer.FileHashes.Count, restore.Json.GetProperty("files").GetInt64());
        Assert.Equal(newer.FileHashes.OrderBy(e => e.Key, StringComparer.Ordinal), HashFiles(target).OrderBy(e => e.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Restore_with_delete_removes_what_the_backup_does_not_have_and_without_keeps_it()
    {
        var bucket = await NewBucketAsync("delete");
        var tree = SampleTree.CreateSmall(Path.Combine(_scratch, "data"));
        Assert.True((await MoverRunner.RunAsync(tree.Root, Pod(bucket, ("DATAMOVER_DESTINATION_PREFIX", "b")))).ExitCode == 0);
        var keep = Directory.CreateDirectory(Path.Combine(_scratch, "keep")).FullName;
        var replace = Directory.CreateDirectory(Path.Combine(_scratch, "replace")).FullName;
        File.WriteAllText(Path.Combine(keep, "extra.txt"), "not in the backup");
        File.WriteAllText(Path.Combine(replace, "extra.txt"), "not in the backup");
        var writable = new MoverRunOptions { WritableData = true };

        var copy = await MoverRunner.RunAsync(keep, Pod(bucket, ("MOVER_MODE", "restore"), ("DATAMOVER_RESTORE_FOLDER", "b")), writable);
        var sync = await MoverRunner.RunAsync(replace, Pod(bucket, ("MOVER_MODE", "restore"), ("DATAMOVER_RESTORE_FOLDER", "b"), ("DATAMOVER_RESTORE_DELETE", "true")), writable);

        Assert.True(copy.ExitCode == 0, copy.ToString());
        Assert.True(sync.ExitCode == 0, sync.ToString());
        Assert.True(File.Exists(Path.Combine(keep, "extra.txt")));
        Assert.False(File.Exists(Path.Combine(replace, "extra.txt")));
        Assert.Equal(tree.FileHashes.OrderBy(e => e.Key, StringComparer.Ordinal), HashFiles(replace).OrderBy(e => e.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Restore_of_a_mirror_root_without_manifest_restores_what_is_there_and_says_so()
    {
        var bucket = await NewBucketAsync("oldmirror");
        await PutRawObjectAsync(bucket, "legacy/a.txt", "a\n");
        await PutRawObjectAsync(bucket, "legacy/sub/b.txt", "b\n");
        var target = Directory.CreateDirectory(Path.Combine(_scratch, "target")).FullName;

        var restore = await MoverRunner.RunAsync(
            target,
            Pod(bucket, ("MOVER_MODE", "restore"), ("DATAMOVER_PATH", "legacy"), ("DATAMOVER_RESTORE_FOLDER", "")),
            new MoverRunOptions { WritableData = true });

        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Equal("", restore.Field("folder"));
        Assert.Contains("no manifest", restore.Field("message"), StringComparison.Ordinal);
        Assert.Equal("b\n", File.ReadAllText(Path.Combine(target, "sub", "b.txt")));
        Assert.Equal("a\n", File.ReadAllText(Path.Combine(target, "a.txt")));
    }

    [Theory]
    [InlineData("latest", "", "no complete backup under s3://{bucket}/empty-path/")]
    [InlineData("no-such-folder", "", "folder no-such-folder not found under s3://{bucket}/empty-path/")]
    [InlineData("incomplete", "", "folder incomplete under s3://{bucket}/empty-path/ has no .datamover-manifest.json")]
    [InlineData("complete", "read-only", "target directory /data is not writable")]
    public async Task Restore_failures_are_one_clear_line(string folder, string targetKind, string expected)
    {
        var bucket = await NewBucketAsync("restorefail");
        await PutRawObjectAsync(bucket, "empty-path/incomplete/data.txt", "no manifest here");
        if (folder == "complete")
        {
            await PutRawObjectAsync(bucket, "empty-path/complete/" + ManifestName, "{\"kind\":\"DataMoverBackup\",\"formatVersion\":1,\"endTime\":\"2026-01-01T00:00:00Z\"}");
        }

        var target = Directory.CreateDirectory(Path.Combine(_scratch, "target")).FullName;
        if (!MoverRunner.SandboxAvailable && targetKind == "read-only")
        {
            // Without the sandbox's read-only mount, a root test process can write anywhere.
            return;
        }

        var result = await MoverRunner.RunAsync(
            target,
            Pod(bucket, ("MOVER_MODE", "restore"), ("DATAMOVER_PATH", "empty-path"), ("DATAMOVER_RESTORE_FOLDER", folder)),
            new MoverRunOptions { WritableData = targetKind != "read-only" });

        AssertFailure(result, exitCode: 2, expected.Replace("{bucket}", bucket, StringComparison.Ordinal));
        Assert.DoesNotContain('{', result.TerminationMessage);
    }

    /// <summary>An object stored as given (the SDK's default aws-chunked upload reaches s3rver's storage undecoded).</summary>
    private async Task PutRawObjectAsync(string bucket, string key, string content) =>
        await _s3.Client.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest
        {
            BucketName = bucket,
            Key = key,
            ContentBody = content,
            UseChunkEncoding = false,
        });

    /// <summary>Everything a faithful copy must keep; owners only when the test may set them.</summary>
    private static string CreateFaithfulTree(string root, bool distinctOwners)
    {
        Directory.CreateDirectory(root);
        void Write(string path, string content, int mode)
        {
            var full = Path.Combine(root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
            File.SetUnixFileMode(full, (UnixFileMode)mode);
        }

        Write("bin/run.sh", "#!/bin/sh\necho run\n", 0b111_101_101);
        Write("etc/config.json", "{\"a\": 1}\n", 0b110_100_100);
        Write("etc/secret.key", "private\n", 0b110_000_000);
        Write("etc/readonly.txt", "read only\n", 0b100_100_100);
        Write("données/résumé été.txt", "unicode\n", 0b110_100_100);
        Write("name with spaces/file with spaces.txt", "spaces\n", 0b110_100_100);
        var large = new byte[20 * 1024 * 1024];
        new Random(42).NextBytes(large);
        Directory.CreateDirectory(Path.Combine(root, "db"));
        File.WriteAllBytes(Path.Combine(root, "db", "large.bin"), large);
        Directory.CreateDirectory(Path.Combine(root, "empty", "nested", "deeper"));
        Directory.CreateDirectory(Path.Combine(root, "private"));
        File.SetUnixFileMode(Path.Combine(root, "private"), (UnixFileMode)0b111_000_000);
        File.SetUnixFileMode(Path.Combine(root, "empty", "nested"), (UnixFileMode)0b111_101_000);
        File.CreateSymbolicLink(Path.Combine(root, "current"), "etc/config.json");
        File.CreateSymbolicLink(Path.Combine(root, "bin", "up"), "../etc");
        File.CreateSymbolicLink(Path.Combine(root, "dangling"), "does/not/exist");

        if (distinctOwners)
        {
            Chown(Path.Combine(root, "etc", "secret.key"), 1234, 2345);
            Chown(Path.Combine(root, "private"), 999, 999);
            Chown(Path.Combine(root, "empty", "nested"), 4321, 1234);
            Chown(Path.Combine(root, "current"), 1234, 1234);
        }

        // Times last: creating children changes a directory's time. Files and directories get
        // distinct old times, so a restore that only gets "now" fails.
        var offset = 0;
        foreach (var entry in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
                     .Where(path => new FileInfo(path).LinkTarget is null)
                     .OrderByDescending(path => path.Length))
        {
            var time = OldTime.AddMinutes(offset++);
            if (Directory.Exists(entry))
            {
                Directory.SetLastWriteTimeUtc(entry, time);
            }
            else
            {
                File.SetLastWriteTimeUtc(entry, time);
            }
        }

        return root;
    }

    /// <summary>Every entry below the root: type, mode, content hash or link target, time and optionally owner.</summary>
    private static List<string> Snapshot(string root, bool withOwners)
    {
        var lines = new List<string>();
        foreach (var path in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(path);
            var relative = Path.GetRelativePath(root, path);
            var owner = withOwners ? $" owner={Owner(path)}" : "";
            if (info.LinkTarget is { } target)
            {
                lines.Add($"{relative} link -> {target}{owner}");
            }
            else if (Directory.Exists(path))
            {
                lines.Add($"{relative} dir {(int)File.GetUnixFileMode(path):x} {Directory.GetLastWriteTimeUtc(path):O}{owner}");
            }
            else
            {
                using var stream = File.OpenRead(path);
                var hash = Convert.ToHexStringLower(SHA256.HashData(stream));
                lines.Add($"{relative} file {(int)File.GetUnixFileMode(path):x} {hash} {File.GetLastWriteTimeUtc(path):O}{owner}");
            }
        }

        return lines;
    }

    private static Dictionary<string, string> HashFiles(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).ToDictionary(
            path => Path.GetRelativePath(root, path).Replace('\\', '/'),
            path => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))),
            StringComparer.Ordinal);

    private static string Owner(string path)
    {
        var result = RunTool("stat", "-c", "%u:%g", path);
        return result.Trim();
    }

    private static void Chown(string path, int uid, int gid) => RunTool("chown", "-h", $"{uid}:{gid}", path);

    private static string RunTool(string tool, params string[] arguments)
    {
        var startInfo = new System.Diagnostics.ProcessStartInfo(tool) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', arguments)} failed");
        return output;
    }
}
