namespace DataMover.Operator.Naming;

/// <summary>
/// Names the mover Job <c>&lt;datamover&gt;-mover</c>, within 63 characters: the job controller copies the name
/// into the <c>job-name</c> label of its pods, and label values cannot be longer.
/// </summary>
internal static class JobNamer
{
    public const string Suffix = "-mover";

    public static string Name(string dataMoverName, string? disambiguator = null)
    {
        var suffix = Suffix + (string.IsNullOrEmpty(disambiguator) ? "" : "-" + disambiguator);
        return KubeNames.Fit(dataMoverName, KubeNames.MaxLabelLength - suffix.Length) + suffix;
    }
}
