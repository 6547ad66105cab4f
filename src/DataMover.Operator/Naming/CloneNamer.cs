using System.Globalization;

namespace DataMover.Operator.Naming;

/// <summary>
/// Names clones <c>&lt;sourcePvc&gt;-cloned-&lt;yyyyMMddHHmmss&gt;</c> (UTC). The result is kept within 63 characters,
/// shortening a long source name with a hash, so the clone name is also a valid label value and CSI drivers that
/// derive volume names from it stay within their limits.
/// </summary>
internal static class CloneNamer
{
    public const string Infix = "-cloned-";

    /// <summary>The infix of a copyMethod Snapshot's VolumeSnapshot: <c>&lt;sourcePvc&gt;-snapshot-&lt;yyyyMMddHHmmss&gt;</c>.</summary>
    public const string SnapshotInfix = "-snapshot-";
    public const string TimestampFormat = "yyyyMMddHHmmss";

    /// <summary>The clone name for <paramref name="sourcePvc"/> at <paramref name="time"/>.</summary>
    /// <param name="sourcePvc">The source PVC's name.</param>
    /// <param name="time">When the DataMover decided to clone (UTC is used).</param>
    /// <param name="disambiguator">Appended when the plain name is taken by someone else's clone.</param>
    public static string Name(string sourcePvc, DateTimeOffset time, string? disambiguator = null) =>
        Name(sourcePvc, Infix, time, disambiguator);

    /// <summary>The VolumeSnapshot name for <paramref name="sourcePvc"/> at <paramref name="time"/>, shaped like the clone's.</summary>
    public static string SnapshotName(string sourcePvc, DateTimeOffset time, string? disambiguator = null) =>
        Name(sourcePvc, SnapshotInfix, time, disambiguator);

    private static string Name(string sourcePvc, string infix, DateTimeOffset time, string? disambiguator)
    {
        var suffix = infix + time.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture)
            + (string.IsNullOrEmpty(disambiguator) ? "" : "-" + disambiguator);
        return KubeNames.Fit(sourcePvc, KubeNames.MaxLabelLength - suffix.Length) + suffix;
    }

    /// <summary>The disambiguator of one DataMover: stable, so a restart picks the same fallback name.</summary>
    public static string DisambiguatorFor(string dataMoverUid) => KubeNames.ShortHash(dataMoverUid, 5);

    /// <summary>
    /// A DataMover's disambiguators in the order its fallback names are tried, all stable across restarts. Five
    /// characters keep the usual fallback readable, but they can collide: a hundred DataMovers of one source accepted
    /// in the same second share the plain name, and two of them share five hash characters about once in a hundred
    /// such seconds. Twelve characters (48 bits) make that practically never.
    /// </summary>
    public static IReadOnlyList<string> DisambiguatorsFor(string dataMoverUid) =>
        [DisambiguatorFor(dataMoverUid), KubeNames.ShortHash(dataMoverUid, 12)];
}
