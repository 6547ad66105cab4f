using System.Runtime.Versioning;
using DataMover.Sandbox.Node;

namespace DataMover.Sandbox.Tests.Node;

[SupportedOSPlatform("linux")]
public sealed class DataDirAccessTests
{
    [Fact]
    public void A_private_data_dir_is_opened_for_traversal_only()
    {
        var dir = Directory.CreateTempSubdirectory("dd-own-");
        try
        {
            File.SetUnixFileMode(dir.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            DataDirAccess.EnsureSearchable(dir.FullName);
            var mode = new DirectoryInfo(dir.FullName).UnixFileMode;
            Assert.True(mode.HasFlag(UnixFileMode.OtherExecute));
            Assert.False(mode.HasFlag(UnixFileMode.OtherRead));
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void A_data_dir_under_a_private_parent_is_refused_with_the_fix_in_the_message()
    {
        var parent = Directory.CreateTempSubdirectory("dd-parent-");
        try
        {
            var dataDir = Directory.CreateDirectory(Path.Combine(parent.FullName, "data")).FullName;
            File.SetUnixFileMode(parent.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var e = Assert.Throws<InvalidOperationException>(() => DataDirAccess.EnsureSearchable(dataDir));
            Assert.Contains($"chmod o+x {parent.FullName}", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            parent.Delete(true);
        }
    }
}
