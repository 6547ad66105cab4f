namespace DataMover.Operator.Metrics;

/// <summary>The Prometheus metric types this operator exports.</summary>
internal enum MetricKind
{
    Counter,
    Gauge,
    Histogram,
}
