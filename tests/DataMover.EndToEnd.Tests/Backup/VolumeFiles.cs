using System.Security.Cryptography;

namespace DataMover.EndToEnd.Tests.Backup;

/// <summary>The regular files of a volume directory as they are on disk now, hashed like the objects.</summary>
internal static class VolumeFiles
{
    /// <summary>Relative path ('/'-separated) → lowercase hex SHA-256 of every regular file (links not followed).</summary>
    public static IReadOnlyDictionary<string, string> Hash(string root)
    {
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        Add(root, new DirectoryInfo(root), hashes);
        return hashes;
    }

    /// <summary>
    /// Walks by hand: the recursive enumeration descends into symbolic links to directories, which would count
    /// the link's target twice (rclone stores the link itself).
    /// </summary>
    private static void Add(string root, DirectoryInfo directory, Dictionary<string, string> hashes)
    {
        foreach (var entry in directory.EnumerateFileSystemInfos("*", new EnumerationOptions { AttributesToSkip = 0 }))
        {
            if (entry.LinkTarget is not null)
            {
                continue;
            }

            if (entry is DirectoryInfo below)
            {
                Add(root, below, hashes);
                continue;
            }

            using var stream = ((FileInfo)entry).OpenRead();
            var relative = Path.GetRelativePath(root, entry.FullName).Replace(Path.DirectorySeparatorChar, '/');
            hashes[relative] = Convert.ToHexStringLower(SHA256.HashData(stream));
        }
    }
}
