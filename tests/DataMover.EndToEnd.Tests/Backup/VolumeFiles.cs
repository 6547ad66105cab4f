using System.Security.Cryptography;

namespace DataMover.EndToEnd.Tests.Backup;

/// <summary>The regular files of a volume directory as they are on disk now, hashed like the objects.</summary>
internal static class VolumeFiles
{
    /// <summary>Relative path ('/'-separated) → lowercase hex SHA-256 of every regular file (links not followed).</summary>
    public static IReadOnlyDictionary<string, string> Hash(string root)
    {
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in new DirectoryInfo(root).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            if (file.LinkTarget is not null)
            {
                continue;
            }

            using var stream = file.OpenRead();
            var relative = Path.GetRelativePath(root, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
            hashes[relative] = Convert.ToHexStringLower(SHA256.HashData(stream));
        }

        return hashes;
    }
}
