using System.Globalization;
using DataMover.Operator.Naming;

namespace DataMover.Operator.Controllers;

/// <summary>
/// Picks a timestamped backup's folder under its spec.path: the UTC time as <c>yyyy-MM-dd-HHmmss</c> (the upstream
/// operator's layout) when no other backup has it, else the same time with this DataMover's disambiguator (the one
/// its clone name falls back to), and as a last resort its whole uid. Every candidate derives from the DataMover alone,
/// so the choice is deterministic and two DataMovers never arrive at the same fallback.
/// </summary>
internal static class BackupFolderPlanner
{
    public const string TimestampFormat = "yyyy-MM-dd-HHmmss";

    /// <summary>The folder for the DataMover <paramref name="uid"/> deciding at <paramref name="now"/>.</summary>
    /// <param name="now">When the DataMover was accepted (UTC is used).</param>
    /// <param name="uid">The DataMover's uid.</param>
    /// <param name="isTaken">Whether another backup already has the candidate folder under the same path.</param>
    public static string Choose(DateTimeOffset now, string uid, Func<string, bool> isTaken)
    {
        var timestamp = now.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);
        if (!isTaken(timestamp))
        {
            return timestamp;
        }

        var disambiguated = timestamp + "-" + CloneNamer.DisambiguatorFor(uid);
        // A five-character hash can collide; the uid itself is unique in the cluster.
        return isTaken(disambiguated) ? timestamp + "-" + uid : disambiguated;
    }

    /// <summary>
    /// True when the destinations <c>path/folder</c> of two backups are the same or one lies inside the other: a sync
    /// onto either would delete the other's files.
    /// </summary>
    public static bool Overlaps(string pathA, string folderA, string pathB, string folderB) =>
        Nests(Join(pathA, folderA), Join(pathB, folderB));

    /// <summary>Two bucket prefixes are the same or one is an ancestor of the other, segment-wise ("" is the bucket root).</summary>
    public static bool Nests(string a, string b)
    {
        if (a.Length == 0 || b.Length == 0 || a == b)
        {
            return true;
        }

        var (shorter, longer) = a.Length < b.Length ? (a, b) : (b, a);
        return longer.StartsWith(shorter, StringComparison.Ordinal) && longer[shorter.Length] == '/';
    }

    private static string Join(string path, string folder) =>
        path.Length == 0 ? folder : folder.Length == 0 ? path : path + "/" + folder;
}
