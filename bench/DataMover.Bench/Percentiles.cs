namespace DataMover.Bench;

/// <summary>Nearest-rank percentiles, as Prometheus summaries and most benchmark reports use them.</summary>
internal static class Percentiles
{
    /// <summary>The smallest value with at least <paramref name="percent"/> % of the values at or below it.</summary>
    public static double Of(IReadOnlyCollection<double> values, double percent)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }
}
