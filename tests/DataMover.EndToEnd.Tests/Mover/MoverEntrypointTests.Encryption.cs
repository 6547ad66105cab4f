using System.Text;
using DataMover.EndToEnd.Tests.Support;

namespace DataMover.EndToEnd.Tests.Mover;

/// <summary>ENCRYPTION_PASSWORD (and ENCRYPTION_SALT) in the Secret: an rclone crypt layer below the backup's path.</summary>
public sealed partial class MoverEntrypointTests
{
    private const string CryptPassword = "canary-crypt-password-7f3a0c";
    private const string CryptSalt = "canary-crypt-salt-91bc44";
    private const string CryptMarkerName = ".datamover-encrypted";
    private const string PlaintextCanary = "PLAINTEXT-CANARY-4d1e93b0";

    [Fact]
    public async Task Encrypted_backup_is_unreadable_in_the_bucket_and_restores_identically_with_the_key()
    {
        var bucket = await NewBucketAsync("crypt");
        var source = CreateFaithfulTree(Path.Combine(_scratch, "source"), distinctOwners: false);
        File.WriteAllText(Path.Combine(source, "plaintext-canary-file.txt"), PlaintextCanary + "\n");
        File.SetLastWriteTimeUtc(source, OldTime);
        var target = Directory.CreateDirectory(Path.Combine(_scratch, "target")).FullName;
        (string, string?)[] key = [("ENCRYPTION_PASSWORD", CryptPassword), ("ENCRYPTION_SALT", CryptSalt), ("DATAMOVER_PATH", "team")];

        var backup = await MoverRunner.RunAsync(
            source, Pod(bucket, [.. key, ("DATAMOVER_DESTINATION_PREFIX", "2026-11-30-085704"), ("RCLONE_LOG_LEVEL", "DEBUG")]));
        var restore = await MoverRunner.RunAsync(
            target, Pod(bucket, [.. key, ("MOVER_MODE", "restore"), ("DATAMOVER_RESTORE_FOLDER", "latest")]), new MoverRunOptions { WritableData = true });
        var inspect = await MoverRunner.RunAsync(
            Directory.CreateDirectory(Path.Combine(_scratch, "nothing")).FullName, Pod(bucket, [.. key, ("MOVER_MODE", "inspect"), ("DATAMOVER_RESTORE_FOLDER", "latest")]));

        Assert.True(backup.ExitCode == 0, backup.ToString());
        Assert.Equal("hash", backup.Field("verified"));
        var objects = await _s3.ListObjectsAsync(bucket);
        Assert.All(objects, o => Assert.StartsWith("team/", o.Key, StringComparison.Ordinal));
        Assert.Contains(objects, o => o.Key == "team/" + CryptMarkerName);
        var stored = objects.Where(o => o.Key != "team/" + CryptMarkerName).ToList();
        Assert.True(stored.Count > 10, string.Join("\n", stored.Select(o => o.Key)));
        string[] plainNames = ["2026-11-30-085704", "bin", "etc", "config", "secret", "large", "empty", "private", "current", "canary", "datamover-manifest", "rclonelink", "données"];
        foreach (var o in stored)
        {
            var name = o.Key["team/".Length..];
            Assert.DoesNotContain(plainNames, plain => name.Contains(plain, StringComparison.OrdinalIgnoreCase));
            var bytes = Encoding.Latin1.GetString(await _s3.ReadObjectAsync(bucket, o.Key));
            Assert.DoesNotContain(PlaintextCanary, bytes, StringComparison.Ordinal);
            Assert.DoesNotContain("DataMoverBackup", bytes, StringComparison.Ordinal);
        }

        var marker = Encoding.UTF8.GetString(await _s3.ReadObjectAsync(bucket, "team/" + CryptMarkerName));
        Assert.Equal("{\"encrypted\":true,\"cipher\":\"rclone-crypt\"}", marker.Trim());

        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Equal("2026-11-30-085704", restore.Field("folder"));
        Assert.Equal("hash", restore.Field("verified"));
        Assert.Equal(Snapshot(source, withOwners: false), Snapshot(target, withOwners: false));
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        Assert.Equal(backup.Json.GetProperty("bytes").GetInt64(), inspect.Json.GetProperty("bytes").GetInt64());

        // rclone's DEBUG level prints the crypt remote's options: the obscured password is reversible, so it is scrubbed too.
        Assert.Contains("Setting password=\"***\"", backup.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("Setting password2=\"***\"", backup.StandardOutput, StringComparison.Ordinal);
        foreach (var run in new[] { backup, restore, inspect })
        {
            Assert.DoesNotContain(CryptPassword, run.AllText, StringComparison.Ordinal);
            Assert.DoesNotContain(CryptSalt, run.AllText, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Encrypted_mirror_backup_hides_file_names_and_restores_with_the_key()
    {
        var bucket = await NewBucketAsync("cryptmirror");
        var tree = SampleTree.CreateSmall(Path.Combine(_scratch, "data"));
        var target = Directory.CreateDirectory(Path.Combine(_scratch, "target")).FullName;

        var backup = await MoverRunner.RunAsync(tree.Root, Pod(bucket, ("ENCRYPTION_PASSWORD", CryptPassword), ("DATAMOVER_DESTINATION_PREFIX", "")));
        var restore = await MoverRunner.RunAsync(
            target, Pod(bucket, ("ENCRYPTION_PASSWORD", CryptPassword), ("MOVER_MODE", "restore"), ("DATAMOVER_RESTORE_FOLDER", "")), new MoverRunOptions { WritableData = true });

        Assert.True(backup.ExitCode == 0, backup.ToString());
        Assert.DoesNotContain(await _s3.ListObjectsAsync(bucket), o => o.Key.Contains("file", StringComparison.Ordinal) || o.Key.EndsWith(".txt", StringComparison.Ordinal));
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Equal(tree.FileHashes.OrderBy(e => e.Key, StringComparer.Ordinal), HashFiles(target).OrderBy(e => e.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Restore_of_an_encrypted_backup_without_the_password_fails_clearly()
    {
        var bucket = await NewBucketAsync("cryptnokey");
        var tree = SampleTree.CreateSmall(Path.Combine(_scratch, "data"));
        var backup = await MoverRunner.RunAsync(tree.Root, Pod(bucket, ("ENCRYPTION_PASSWORD", CryptPassword), ("DATAMOVER_PATH", "p"), ("DATAMOVER_DESTINATION_PREFIX", "b1")));
        Assert.True(backup.ExitCode == 0, backup.ToString());
        var target = Directory.CreateDirectory(Path.Combine(_scratch, "target")).FullName;

        var restore = await MoverRunner.RunAsync(
            target, Pod(bucket, ("MOVER_MODE", "restore"), ("DATAMOVER_PATH", "p"), ("DATAMOVER_RESTORE_FOLDER", "latest")), new MoverRunOptions { WritableData = true });

        AssertFailure(restore, exitCode: 2, $"the backup at s3://{bucket}/p/ is encrypted; the Secret has no ENCRYPTION_PASSWORD");
        Assert.Empty(Directory.EnumerateFileSystemEntries(target));
    }

    [Theory]
    [InlineData("wrong-password-123", CryptSalt, "latest")]
    [InlineData(CryptPassword, null, "latest")]
    [InlineData("wrong-password-123", CryptSalt, "b1")]
    public async Task Restore_with_a_wrong_password_or_salt_fails_clearly(string password, string? salt, string folder)
    {
        var bucket = await NewBucketAsync("cryptwrong");
        var tree = SampleTree.CreateSmall(Path.Combine(_scratch, "data"));
        var backup = await MoverRunner.RunAsync(
            tree.Root, Pod(bucket, ("ENCRYPTION_PASSWORD", CryptPassword), ("ENCRYPTION_SALT", CryptSalt), ("DATAMOVER_PATH", "p"), ("DATAMOVER_DESTINATION_PREFIX", "b1")));
        Assert.True(backup.ExitCode == 0, backup.ToString());
        var target = Directory.CreateDirectory(Path.Combine(_scratch, "target")).FullName;

        var restore = await MoverRunner.RunAsync(
            target,
            Pod(bucket, ("ENCRYPTION_PASSWORD", password), ("ENCRYPTION_SALT", salt), ("MOVER_MODE", "restore"), ("DATAMOVER_PATH", "p"), ("DATAMOVER_RESTORE_FOLDER", folder)),
            new MoverRunOptions { WritableData = true });

        AssertFailure(restore, exitCode: 2, "wrong ENCRYPTION_PASSWORD or ENCRYPTION_SALT: cannot decrypt the backup's manifest");
        Assert.Empty(Directory.EnumerateFileSystemEntries(target));
        Assert.DoesNotContain(CryptPassword, restore.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_password_for_an_unencrypted_backup_is_named_as_the_problem()
    {
        var bucket = await NewBucketAsync("cryptplain");
        var tree = SampleTree.CreateSmall(Path.Combine(_scratch, "data"));
        Assert.True((await MoverRunner.RunAsync(tree.Root, Pod(bucket, ("DATAMOVER_DESTINATION_PREFIX", "b1")))).ExitCode == 0);
        var target = Directory.CreateDirectory(Path.Combine(_scratch, "target")).FullName;

        var restore = await MoverRunner.RunAsync(
            target, Pod(bucket, ("ENCRYPTION_PASSWORD", CryptPassword), ("MOVER_MODE", "restore"), ("DATAMOVER_RESTORE_FOLDER", "b1")), new MoverRunOptions { WritableData = true });

        AssertFailure(restore, exitCode: 2, "ENCRYPTION_PASSWORD is set but");
    }
}
