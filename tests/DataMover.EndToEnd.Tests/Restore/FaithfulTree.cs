using System.Diagnostics;
using System.Runtime.Versioning;
using System.Security.Cryptography;

namespace DataMover.EndToEnd.Tests.Restore;

/// <summary>
/// A volume tree with everything a restore must give back: modes 755/644/600/444 on files and 755/700/750/555 on
/// directories, nested empty directories, relative and dangling symbolic links, unicode and space names, a ~20 MB
/// file and distinct old modification times; and a snapshot of a tree to compare a restore with its source.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class FaithfulTree
{
    /// <summary>
    /// The uid and gid the mover runs as: the application's own, so its 0600 and 0700 entries are readable. The tree
    /// has no other owners because the sandbox cannot carry them: a non-root container's user namespace maps only
    /// its own uid (the backup would see every other owner as 65534), and a root one's only uid 0 (chown to another
    /// owner fails), so restoreOwnership is covered by the mover's own tests, run directly as root.
    /// </summary>
    public const int MoverId = 65534;

    private static readonly DateTime OldTime = new(2024, 8, 6, 14, 30, 52, 123, DateTimeKind.Utc);

    /// <summary>Writes the tree into <paramref name="root"/> (a volume's directory), owned by <see cref="MoverId"/>.</summary>
    public static void Create(string root)
    {
        void Write(string path, string content, UnixFileMode mode)
        {
            var full = Path.Combine(root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
            File.SetUnixFileMode(full, mode);
        }

        const UnixFileMode everyoneReads = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        const UnixFileMode everyoneRuns = everyoneReads | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        Write("bin/run.sh", "#!/bin/sh\necho run\n", everyoneRuns);
        Write("etc/config.json", "{\"a\": 1}\n", everyoneReads);
        Write("etc/secret.key", "private\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Write("etc/readonly.txt", "read only\n", UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        Write("private/key.pem", "-----BEGIN TEST-----\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Write("frozen/inside.txt", "in a read-only directory\n", everyoneReads);
        Write("données/résumé été.txt", "unicode\n", everyoneReads);
        Write("日本語/ファイル.txt", "CJK\n", everyoneReads);
        Write("name with spaces/file with spaces.txt", "spaces\n", everyoneReads);
        var large = new byte[20 * 1024 * 1024];
        new Random(42).NextBytes(large);
        Directory.CreateDirectory(Path.Combine(root, "db"));
        File.WriteAllBytes(Path.Combine(root, "db", "large.bin"), large);
        Directory.CreateDirectory(Path.Combine(root, "empty", "nested", "deeper"));
        Directory.CreateDirectory(Path.Combine(root, "empty folder"));
        File.CreateSymbolicLink(Path.Combine(root, "current"), "etc/config.json");
        File.CreateSymbolicLink(Path.Combine(root, "bin", "up"), "../etc");
        File.CreateSymbolicLink(Path.Combine(root, "dangling"), "does/not/exist");
        Run("chown", "-R", "-h", $"{MoverId}:{MoverId}", root);
        File.SetUnixFileMode(Path.Combine(root, "private"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.SetUnixFileMode(Path.Combine(root, "empty", "nested"), everyoneRuns & ~UnixFileMode.OtherRead & ~UnixFileMode.OtherExecute & ~UnixFileMode.GroupWrite);
        File.SetUnixFileMode(Path.Combine(root, "frozen"), everyoneRuns & ~UnixFileMode.UserWrite);

        // Times last (creating children changes a directory's time); every entry gets its own, so a restore that
        // leaves "now" anywhere fails.
        var offset = 0;
        foreach (var entry in Entries(root)
                     .Where(path => new FileInfo(path).LinkTarget is null)
                     .OrderByDescending(path => path.Length))
        {
            var time = OldTime.AddMinutes(offset++);
            if (Directory.Exists(entry))
            {
                Directory.SetLastWriteTimeUtc(entry, time);
            }
            else
            {
                File.SetLastWriteTimeUtc(entry, time);
            }
        }
    }

    /// <summary>
    /// One line per entry below <paramref name="root"/>: type, owner, mode (setgid included), SHA-256 or link
    /// target, modification time.
    /// </summary>
    public static IReadOnlyList<string> Snapshot(string root)
    {
        var owners = Owners(root);
        var lines = new List<string>();
        foreach (var path in Entries(root).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(root, path);
            var info = new FileInfo(path);
            if (info.LinkTarget is { } target)
            {
                lines.Add($"{relative} link -> {target}");
            }
            else if (Directory.Exists(path))
            {
                lines.Add($"{relative} dir {owners[relative]} {Convert.ToString((int)File.GetUnixFileMode(path), 8)} {Directory.GetLastWriteTimeUtc(path):O}");
            }
            else
            {
                using var stream = File.OpenRead(path);
                var hash = Convert.ToHexStringLower(SHA256.HashData(stream));
                lines.Add($"{relative} file {owners[relative]} {Convert.ToString((int)File.GetUnixFileMode(path), 8)} {info.Length} {hash} {File.GetLastWriteTimeUtc(path):O}");
            }
        }

        return lines;
    }

    /// <summary>Every entry below <paramref name="directory"/>, without following symbolic links.</summary>
    private static IEnumerable<string> Entries(string directory)
    {
        foreach (var path in Directory.EnumerateFileSystemEntries(directory))
        {
            yield return path;
            if (new FileInfo(path).LinkTarget is null && Directory.Exists(path))
            {
                foreach (var below in Entries(path))
                {
                    yield return below;
                }
            }
        }
    }

    /// <summary>uid:gid of every entry below the root (.NET has no lstat owner).</summary>
    private static Dictionary<string, string> Owners(string root)
    {
        var output = Run("find", root, "-mindepth", "1", "-printf", "%P\\0%U:%G\\0");
        var fields = output.Split('\0');
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < fields.Length; i += 2)
        {
            owners[fields[i]] = fields[i + 1];
        }

        return owners;
    }

    private static string Run(string tool, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', arguments)} failed: {error}");
        return output;
    }
}
