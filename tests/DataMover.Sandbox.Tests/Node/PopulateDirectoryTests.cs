using DataMover.Sandbox.Node;

namespace DataMover.Sandbox.Tests.Node;

/// <summary>
/// Volumes and snapshot contents are made as CSI CreateVolume/CreateSnapshot make them: idempotently. A second call
/// for the same name (a controller syncing again on a stale cache) must not wipe the first one's data, which a
/// restore may be copying or a pod writing at that moment.
/// </summary>
public sealed class PopulateDirectoryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("populate-").FullName;

    [Fact]
    public void ANewDirectoryIsACopyOfTheSourceWithNothingLeftBeside()
    {
        var source = Directory.CreateDirectory(Path.Combine(_root, "source")).FullName;
        File.WriteAllText(Path.Combine(source, "data.txt"), "backup me");
        var volume = Path.Combine(_root, "volumes", "pvc-1");
        Directory.CreateDirectory(Path.GetDirectoryName(volume)!);

        VolumeProvisioner.PopulateDirectory(volume, source);

        Assert.Equal("backup me", File.ReadAllText(Path.Combine(volume, "data.txt")));
        Assert.Equal([volume], Directory.GetFileSystemEntries(Path.GetDirectoryName(volume)!));
    }

    [Fact]
    public void AnExistingDirectoryKeepsItsDataWhenMadeAgain()
    {
        var source = Directory.CreateDirectory(Path.Combine(_root, "source")).FullName;
        File.WriteAllText(Path.Combine(source, "data.txt"), "backup me");
        var volume = Path.Combine(_root, "pvc-1");
        VolumeProvisioner.PopulateDirectory(volume, source);
        File.WriteAllText(Path.Combine(volume, "written-since.txt"), "by the application");

        VolumeProvisioner.PopulateDirectory(volume, source);
        VolumeProvisioner.PopulateDirectory(volume, null);

        Assert.Equal("backup me", File.ReadAllText(Path.Combine(volume, "data.txt")));
        Assert.Equal("by the application", File.ReadAllText(Path.Combine(volume, "written-since.txt")));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
