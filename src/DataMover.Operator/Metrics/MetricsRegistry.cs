namespace DataMover.Operator.Metrics;

/// <summary>The metric families of one process, in registration order.</summary>
internal sealed class MetricsRegistry
{
    private readonly Lock _gate = new();
    private readonly List<MetricFamily> _families = [];

    public MetricFamily Counter(string name, string help, params string[] labelNames) => Add(new MetricFamily(name, help, MetricKind.Counter, labelNames));

    public MetricFamily Gauge(string name, string help, params string[] labelNames) => Add(new MetricFamily(name, help, MetricKind.Gauge, labelNames));

    public MetricFamily Histogram(string name, string help, IReadOnlyList<double> buckets, params string[] labelNames) =>
        Add(new MetricFamily(name, help, MetricKind.Histogram, labelNames, [.. buckets.Order()]));

    public IReadOnlyList<MetricFamily> Families
    {
        get
        {
            lock (_gate)
            {
                return [.. _families];
            }
        }
    }

    /// <summary>The exposition text of every family.</summary>
    public string Render() => PrometheusTextWriter.Write(Families);

    private MetricFamily Add(MetricFamily family)
    {
        lock (_gate)
        {
            _families.Add(family);
        }

        return family;
    }
}
