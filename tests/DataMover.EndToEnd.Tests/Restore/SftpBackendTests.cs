using System.Globalization;
using System.Runtime.Versioning;
using DataMover.EndToEnd.Tests.Backup;
using DataMover.EndToEnd.Tests.Support;
using DataMover.Operator.Api;

namespace DataMover.EndToEnd.Tests.Restore;

/// <summary>
/// A DataMover and a DataMoverRestore whose Secret names an SFTP server (rclone serve sftp on the host, reached by the
/// sandboxed mover over loopback like s3rver) instead of S3: operator, Jobs and the real mover, end to end.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class SftpBackendTests(BackupClusterFixture cluster) : IClassFixture<BackupClusterFixture>
{
    [Fact]
    public async Task Backup_to_sftp_lands_on_the_server_and_restores_the_volume()
    {
        await using var sftp = await SftpServer.StartAsync();
        var scenario = await cluster.NewScenarioAsync("sftp");
        await scenario.CreateSecretAsync("nas", await sftp.SecretKeysAsync("nas", "/backups"));
        var volume = await scenario.CreateSourceVolumeAsync("app-data");
        FaithfulTree.Create(volume);
        var source = FaithfulTree.Snapshot(volume);

        await scenario.CreateDataMoverAsync("backup", "app-data", "nas", addTimestampPrefix: true, path: "team-s");
        var dm = await scenario.WaitForEndAsync("backup", "Completed");

        var stored = Path.Combine(sftp.Root, "backups", "team-s", dm.Status!.DestinationPrefix!);
        Assert.True(File.Exists(Path.Combine(stored, BucketContent.ManifestName)), sftp.Output);
        var expected = VolumeFiles.Hash(volume).OrderBy(e => e.Key, StringComparer.Ordinal);
        var landed = VolumeFiles.Hash(stored).Where(e => e.Key != BucketContent.ManifestName && !e.Key.EndsWith(".rclonelink", StringComparison.Ordinal));
        Assert.Equal(expected, landed.OrderBy(e => e.Key, StringComparer.Ordinal));

        await scenario.CreateRestoreAsync("restore", new DataMoverRestoreSource { FromDataMover = "backup" }, "restored");
        var restore = await scenario.WaitForRestoreCompletedAsync("restore");

        Assert.Equal(dm.Status.DestinationPrefix, restore.Status!.Folder);
        var restored = await scenario.VolumePathAsync("restored");
        // SFTP stores no metadata: every regular file comes back with mode 644 and its time to the second
        // (docs/mover.md); directories (from the manifest), links and contents exactly.
        Assert.Equal(string.Join('\n', source.Select(WithRestoredFileMode)), string.Join('\n', FaithfulTree.Snapshot(restored)));
        Assert.False(File.Exists(Path.Combine(restored, BucketContent.ManifestName)));
    }

    /// <summary>
    /// A snapshot line with the mode a restore without metadata gives regular files, and the file's time in whole
    /// seconds (SFTP version 3, what servers speak, carries no fractions). A file's line ends with
    /// "file owner mode size hash time" (the path before it may contain spaces).
    /// </summary>
    private static string WithRestoredFileMode(string line)
    {
        var fields = line.Split(' ');
        if (fields.Length < 7 || fields[^6] != "file")
        {
            return line;
        }

        fields[^4] = "644";
        var time = DateTime.Parse(fields[^1], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
        fields[^1] = time.AddTicks(-(time.Ticks % TimeSpan.TicksPerSecond)).ToString("O", CultureInfo.InvariantCulture);
        return string.Join(' ', fields);
    }
}
