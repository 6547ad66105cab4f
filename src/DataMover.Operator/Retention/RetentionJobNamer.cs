using DataMover.Operator.Naming;

namespace DataMover.Operator.Retention;

/// <summary>
/// Names the two Jobs of the prune that follows one run: <c>&lt;schedule&gt;-prune-&lt;run suffix&gt;-list</c> (lists the
/// backups) and <c>&lt;schedule&gt;-prune-&lt;run suffix&gt;</c> (deletes what the policy no longer keeps), within 63
/// characters. Derived from the run's name only, so an operator that restarts finds (adopts) the Jobs it created.
/// </summary>
internal static class RetentionJobNamer
{
    public static string ListName(string scheduleName, string runName) => Fit(scheduleName, runName, "-list");

    public static string PruneName(string scheduleName, string runName) => Fit(scheduleName, runName, "");

    private static string Fit(string scheduleName, string runName, string pass)
    {
        // Run names are "<schedule, maybe shortened>-<unix minutes>" (ScheduledNameBuilder): the minutes tell runs apart.
        var cut = runName.LastIndexOf('-');
        var runSuffix = cut >= 0 && cut < runName.Length - 1 ? runName[(cut + 1)..] : KubeNames.ShortHash(runName);
        var suffix = "-prune-" + runSuffix + pass;
        return KubeNames.Fit(scheduleName, KubeNames.MaxLabelLength - suffix.Length) + suffix;
    }
}
