namespace DataMover.Sandbox.Node;

/// <summary>
/// Containers may run as any uid (the mover runs as 65534), and bubblewrap binds their volumes from under the data
/// dir, so every directory on that path must be searchable by others. A private parent (mktemp -d makes 0700 ones)
/// would otherwise fail every non-root pod with a bwrap "Permission denied" far from the cause.
/// </summary>
internal static class DataDirAccess
{
    public static void EnsureSearchable(string dataDir)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var full = Path.GetFullPath(dataDir);
        var own = new DirectoryInfo(full);
        if (!own.UnixFileMode.HasFlag(UnixFileMode.OtherExecute))
        {
            // The sandbox's own directory: open it for traversal (not for listing).
            File.SetUnixFileMode(full, own.UnixFileMode | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }

        for (var dir = own.Parent; dir is not null; dir = dir.Parent)
        {
            if (!dir.UnixFileMode.HasFlag(UnixFileMode.OtherExecute))
            {
                throw new InvalidOperationException(
                    $"the data dir {full} is under {dir.FullName}, which other users cannot enter; pods running as non-root users " +
                    $"could not reach their volumes. Choose another --data-dir or run: chmod o+x {dir.FullName}");
            }
        }
    }
}
