using DataMover.Operator.Naming;

namespace DataMover.Operator.Restore;

/// <summary>
/// Names the restore Job <c>&lt;restore&gt;-restore</c> and the inspect Job <c>&lt;restore&gt;-inspect</c> within 63
/// characters (the job controller copies the name into a pod label).
/// </summary>
internal static class RestoreJobNamer
{
    public const string Suffix = "-restore";
    public const string InspectSuffix = "-inspect";

    public static string Name(string restoreName, string? disambiguator = null) => Fit(restoreName, Suffix, disambiguator);

    public static string InspectName(string restoreName, string? disambiguator = null) => Fit(restoreName, InspectSuffix, disambiguator);

    private static string Fit(string restoreName, string baseSuffix, string? disambiguator)
    {
        var suffix = baseSuffix + (string.IsNullOrEmpty(disambiguator) ? "" : "-" + disambiguator);
        return KubeNames.Fit(restoreName, KubeNames.MaxLabelLength - suffix.Length) + suffix;
    }
}
