using System.Runtime.InteropServices;

namespace DataMover.Sandbox.Node;

/// <summary>
/// The kubelet's fsGroup ownership change (pkg/volume/volume_linux.go SetVolumeOwnership, CSIDriver fsGroupPolicy
/// File): every entry under the volume gets the group (lchown, so a symlink itself, never its target); files and
/// directories get group and owner read/write (0660), directories also search (0110) and setgid, so new files inherit
/// the group; symlinks keep their mode, as chmod would change their target. Done in-process: a shell pipeline of
/// chgrp, chmod and find cost as much CPU per pod as starting the container itself.
/// </summary>
internal static partial class VolumeOwnership
{
    private const UnixFileMode ReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;
    private const UnixFileMode Search = UnixFileMode.UserExecute | UnixFileMode.GroupExecute;

    public static void Apply(string root, long fsGroup)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var gid = checked((int)fsGroup);
        Change(new DirectoryInfo(root), gid);
        foreach (var entry in new DirectoryInfo(root).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true }))
        {
            Change(entry, gid);
        }
    }

    private static void Change(FileSystemInfo entry, int gid)
    {
        if (Lchown(entry.FullName, -1, gid) != 0)
        {
            throw new IOException($"lchown {entry.FullName}: errno {Marshal.GetLastPInvokeError()}");
        }

        if (entry.LinkTarget is not null || OperatingSystem.IsWindows())
        {
            return;
        }

        var mode = entry.UnixFileMode | ReadWrite;
        if (entry is DirectoryInfo)
        {
            mode |= Search | UnixFileMode.SetGroup;
        }

        File.SetUnixFileMode(entry.FullName, mode);
    }

    [LibraryImport("libc", EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Lchown(string path, int uid, int gid);
}
