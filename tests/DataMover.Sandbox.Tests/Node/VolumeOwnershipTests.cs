using System.Runtime.Versioning;
using DataMover.Sandbox.Node;

namespace DataMover.Sandbox.Tests.Node;

[SupportedOSPlatform("linux")]
public sealed class VolumeOwnershipTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("volume-ownership-").FullName;

    [Fact]
    public void EveryEntryGetsTheGroupAndTheKubeletsModesButASymlinkLeavesItsTargetAlone()
    {
        var dir = Directory.CreateDirectory(Path.Combine(_root, "sub"));
        var file = Path.Combine(dir.FullName, "file");
        File.WriteAllText(file, "x");
        File.SetUnixFileMode(file, UnixFileMode.UserRead);
        File.SetUnixFileMode(dir.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var outside = Path.Combine(Directory.CreateTempSubdirectory("volume-ownership-outside-").FullName, "target");
        File.WriteAllText(outside, "y");
        File.SetUnixFileMode(outside, UnixFileMode.UserRead);
        File.CreateSymbolicLink(Path.Combine(_root, "link"), outside);

        VolumeOwnership.Apply(_root, 4321);

        Assert.Equal(4321, GroupOf(file));
        Assert.Equal(4321, GroupOf(dir.FullName));
        Assert.Equal(4321, GroupOf(_root));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, File.GetUnixFileMode(file));
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.SetGroup,
            File.GetUnixFileMode(dir.FullName));
        Assert.Equal(UnixFileMode.UserRead, File.GetUnixFileMode(outside));
        Assert.NotEqual(4321, GroupOf(outside));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static int GroupOf(string path)
    {
        var result = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%g", path]) { RedirectStandardOutput = true })!;
        var output = result.StandardOutput.ReadToEnd();
        result.WaitForExit();
        return int.Parse(output.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
