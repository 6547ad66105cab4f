namespace DataMover.Operator.Scheduling;

/// <summary>
/// Chooses which finished runs to delete so that at most the history limits remain, oldest first.
/// Active runs are never chosen. Deleting a DataMover takes its clone and Job with it (it owns them).
/// </summary>
internal static class HistoryPruner
{
    public const int DefaultSuccessfulLimit = 3;
    public const int DefaultFailedLimit = 1;

    public static IReadOnlyList<ScheduledRun> Select(IEnumerable<ScheduledRun> runs, int successfulLimit, int failedLimit)
    {
        var list = runs.ToList();
        return Excess(list, RunState.Succeeded, successfulLimit).Concat(Excess(list, RunState.Failed, failedLimit)).ToList();
    }

    private static IEnumerable<ScheduledRun> Excess(List<ScheduledRun> runs, RunState state, int limit) =>
        runs.Where(r => r.State == state)
            .OrderByDescending(r => r.ScheduledTime)
            .ThenByDescending(r => r.Name, StringComparer.Ordinal)
            .Skip(Math.Max(0, limit));
}
