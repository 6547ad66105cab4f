using System.Text.Json;
using DataMover.EndToEnd.Tests.Support;

namespace DataMover.EndToEnd.Tests.Mover;

/// <summary>
/// MOVER_REMOTE with an SFTP remote (rclone serve sftp, started per test): the backend the docs
/// promise besides S3, configured only through the Secret keys docs/mover.md lists.
/// </summary>
public sealed partial class MoverEntrypointTests
{
    private const UnixFileMode RestoredFileMode = (UnixFileMode)0b110_100_100;

    [Fact]
    public async Task Sftp_round_trip_restores_the_tree_and_every_file_mode_comes_back_as_644()
    {
        await using var sftp = await SftpServer.StartAsync();
        var secret = await sftp.SecretKeysAsync("nas", "/backups");
        var source = CreateFaithfulTree(Path.Combine(_scratch, "source"), distinctOwners: false);
        var target = Directory.CreateDirectory(Path.Combine(_scratch, "target")).FullName;

        var backup = await MoverRunner.RunAsync(source, RemotePod(secret, ("DATAMOVER_PATH", "team"), ("DATAMOVER_DESTINATION_PREFIX", "2026-11-30-085704")));
        Assert.True(backup.ExitCode == 0, backup + sftp.Output);
        var restore = await MoverRunner.RunAsync(
            target,
            RemotePod(secret, ("MOVER_MODE", "restore"), ("DATAMOVER_PATH", "team"), ("DATAMOVER_RESTORE_FOLDER", "latest")),
            new MoverRunOptions { WritableData = true });

        Assert.True(restore.ExitCode == 0, restore + sftp.Output);
        // rclone's SFTP server computes MD5 itself, so the check really compared hashes.
        Assert.Equal("hash", backup.Field("verified"));
        Assert.Equal("hash", restore.Field("verified"));
        Assert.Equal("nas:/backups/team/2026-11-30-085704/", backup.Field("destination"));
        Assert.Equal("2026-11-30-085704", restore.Field("folder"));
        var stored = Path.Combine(sftp.Root, "backups", "team", "2026-11-30-085704");
        Assert.Equal("hash", ManifestField(stored, "verified"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(source, "db", "large.bin")), File.ReadAllBytes(Path.Combine(stored, "db", "large.bin")));
        Assert.Equal("etc/config.json", File.ReadAllText(Path.Combine(stored, "current.rclonelink")));
        Assert.False(File.Exists(Path.Combine(target, ManifestName)));
        // SFTP keeps no object metadata: contents, file times, links and directories (from the
        // manifest) come back exactly; file modes are the restore's defaults.
        Assert.Equal(Snapshot(WithRestoredFileModes(source), withOwners: false), Snapshot(target, withOwners: false));
    }

    [Fact]
    public async Task Sftp_without_remote_hashing_reports_size_verification_not_hash()
    {
        await using var sftp = await SftpServer.StartAsync();
        var secret = await sftp.SecretKeysAsync("nas", "backups");
        // How a user stops rclone running md5sum/sha1sum in a shell on the server (the *_COMMAND
        // options that name other commands are refused by the mover).
        secret["RCLONE_CONFIG_NAS_DISABLE_HASHCHECK"] = "true";
        var tree = SampleTree.CreateSmall(Path.Combine(_scratch, "data"));
        var target = Directory.CreateDirectory(Path.Combine(_scratch, "target")).FullName;

        var backup = await MoverRunner.RunAsync(tree.Root, RemotePod(secret, ("DATAMOVER_DESTINATION_PREFIX", "b")));
        var restore = await MoverRunner.RunAsync(
            target, RemotePod(secret, ("MOVER_MODE", "restore"), ("DATAMOVER_RESTORE_FOLDER", "b")), new MoverRunOptions { WritableData = true });

        Assert.True(backup.ExitCode == 0, backup + sftp.Output);
        Assert.True(restore.ExitCode == 0, restore + sftp.Output);
        Assert.Equal("size", backup.Field("verified"));
        Assert.Equal("size", restore.Field("verified"));
        Assert.Contains($"verified {tree.FileHashes.Count} files (size)", backup.Field("message"), StringComparison.Ordinal);
        Assert.Equal("size", ManifestField(Path.Combine(sftp.Root, "backups", "b"), "verified"));
        Assert.Empty(backup.Json.GetProperty("ignoredSecretKeys").EnumerateArray());
        Assert.Equal(tree.FileHashes.OrderBy(e => e.Key, StringComparer.Ordinal), HashFiles(target).OrderBy(e => e.Key, StringComparer.Ordinal));
        Assert.DoesNotContain(sftp.Password, backup.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret["RCLONE_CONFIG_NAS_PASS"], backup.ToString(), StringComparison.Ordinal);
    }

    /// <summary>A pod whose Secret holds only <paramref name="secret"/> (no S3 keys), plus operator variables.</summary>
    private static Dictionary<string, string> RemotePod(IReadOnlyDictionary<string, string> secret, params (string Name, string Value)[] variables)
    {
        var environment = secret.ToDictionary(entry => SecretPrefix + entry.Key, entry => entry.Value, StringComparer.Ordinal);
        foreach (var (name, value) in variables)
        {
            environment[name] = value;
        }

        return environment;
    }

    private static string ManifestField(string folder, string name)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, ManifestName)));
        return manifest.RootElement.GetProperty(name).GetString() ?? "";
    }

    /// <summary>A copy of the tree whose regular files have the mode a restore without metadata gives them.</summary>
    private string WithRestoredFileModes(string source)
    {
        var copy = Path.Combine(_scratch, "expected");
        RunTool("cp", "-a", source, copy);
        foreach (var file in Directory.EnumerateFiles(copy, "*", SearchOption.AllDirectories).Where(path => new FileInfo(path).LinkTarget is null))
        {
            var time = File.GetLastWriteTimeUtc(file);
            File.SetUnixFileMode(file, RestoredFileMode);
            File.SetLastWriteTimeUtc(file, time);
        }

        return copy;
    }
}
