using System.Security.Cryptography;
using System.Text;

namespace DataMover.EndToEnd.Tests.Support;

/// <summary>
/// Deterministic volume content written to a directory, with the SHA-256 of every regular
/// file, so a copy can be compared byte for byte. Covers what real volumes contain and
/// naive copy tools get wrong: nesting, empty files, spaces, non-ASCII names, many small
/// files and one large file.
/// </summary>
internal sealed class SampleTree
{
    private readonly Dictionary<string, string> _hashes = new(StringComparer.Ordinal);

    private SampleTree(string root) => Root = root;

    /// <summary>The directory holding the tree.</summary>
    public string Root { get; }

    /// <summary>Relative path ('/'-separated) to lowercase hex SHA-256, for every regular file.</summary>
    public IReadOnlyDictionary<string, string> FileHashes => _hashes;

    /// <summary>A volume-like tree: ~<paramref name="smallFiles"/> small files plus one large file.</summary>
    public static SampleTree CreateRealistic(string root, int smallFiles = 2000, int largeFileBytes = 50 * 1024 * 1024)
    {
        var tree = CreateSmall(root);
        var random = new Random(20240806);
        for (var i = 0; i < smallFiles; i++)
        {
            // Spread over a few levels like application data (shards/partitions).
            var path = $"app/shard-{i % 10:00}/part {i % 7}/file-{i:0000}.dat";
            var content = new byte[random.Next(1, 4096)];
            random.NextBytes(content);
            tree.Write(path, content);
        }

        var large = new byte[largeFileBytes];
        random.NextBytes(large);
        tree.Write("db/large.bin", large);
        return tree;
    }

    /// <summary>A few dozen files with the awkward cases only; fast to copy.</summary>
    public static SampleTree CreateSmall(string root)
    {
        Directory.CreateDirectory(root);
        var tree = new SampleTree(root);
        tree.Write("README.txt", "volume root file\n");
        tree.Write("empty.txt", "");
        tree.Write("deeply/nested/dir/with/many/levels/leaf.txt", "leaf\n");
        tree.Write("name with spaces/file with spaces.txt", "spaces\n");
        tree.Write("données/résumé été.txt", "non-ASCII (Latin)\n");
        tree.Write("日本語/ファイル.txt", "non-ASCII (CJK)\n");
        tree.Write("symbols/a+b=c & d's (copy) #1.txt", "punctuation\n");
        for (var i = 0; i < 20; i++)
        {
            tree.Write($"config/item-{i:00}.json", $"{{\"item\": {i}}}\n");
        }

        return tree;
    }

    /// <summary>Writes (or overwrites) a file and records its hash.</summary>
    public void Write(string relativePath, string content) => Write(relativePath, Encoding.UTF8.GetBytes(content));

    /// <summary>Writes (or overwrites) a file and records its hash.</summary>
    public void Write(string relativePath, byte[] content)
    {
        var fullPath = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        File.WriteAllBytes(fullPath, content);
        _hashes[relativePath] = Convert.ToHexStringLower(SHA256.HashData(content));
    }

    /// <summary>Deletes a file and forgets its hash.</summary>
    public void Delete(string relativePath)
    {
        File.Delete(Path.Combine(Root, relativePath));
        _hashes.Remove(relativePath);
    }
}
