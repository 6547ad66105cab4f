using DataMover.Operator.Naming;

namespace DataMover.Operator.Restore;

/// <summary>Names the restore Job <c>&lt;restore&gt;-restore</c> within 63 characters (the job controller copies it into a pod label).</summary>
internal static class RestoreJobNamer
{
    public const string Suffix = "-restore";

    public static string Name(string restoreName, string? disambiguator = null)
    {
        var suffix = Suffix + (string.IsNullOrEmpty(disambiguator) ? "" : "-" + disambiguator);
        return KubeNames.Fit(restoreName, KubeNames.MaxLabelLength - suffix.Length) + suffix;
    }
}
