using DataMover.Operator.Metrics;

namespace DataMover.Operator.Tests.Unit;

public sealed class MetricsTests
{
    [Fact]
    public void CountersHaveHelpTypeAndEscapedLabels()
    {
        var registry = new MetricsRegistry();
        var c = registry.Counter("x_total", "Help with \\ and\nnewline.", "a", "b");
        c.Increment(1, "q\"uote", "back\\slash\nnl");
        c.Increment(2, "q\"uote", "back\\slash\nnl");
        var text = registry.Render();
        Assert.Contains("# HELP x_total Help with \\\\ and\\nnewline.\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE x_total counter\n", text, StringComparison.Ordinal);
        Assert.Contains("x_total{a=\"q\\\"uote\",b=\"back\\\\slash\\nnl\"} 3\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void HistogramBucketsAreCumulativeWithInfSumAndCount()
    {
        var registry = new MetricsRegistry();
        var h = registry.Histogram("d_seconds", "Durations.", [1, 5], "phase");
        h.Observe(0.5, "P");
        h.Observe(3, "P");
        h.Observe(10, "P");
        var text = registry.Render();
        Assert.Contains("d_seconds_bucket{phase=\"P\",le=\"1\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("d_seconds_bucket{phase=\"P\",le=\"5\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("d_seconds_bucket{phase=\"P\",le=\"+Inf\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("d_seconds_sum{phase=\"P\"} 13.5\n", text, StringComparison.Ordinal);
        Assert.Contains("d_seconds_count{phase=\"P\"} 3\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void GaugeSeriesCanBeRemoved()
    {
        var registry = new MetricsRegistry();
        var g = registry.Gauge("g", "Gauge.", "name");
        g.Set(3, "a");
        g.Set(4, "b");
        g.Remove("a");
        var text = registry.Render();
        Assert.DoesNotContain("name=\"a\"", text, StringComparison.Ordinal);
        Assert.Contains("g{name=\"b\"} 4\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void DataMoverMetricsAreAllDeclared()
    {
        var text = new DataMoverMetrics(new MetricsRegistry()).Registry.Render();
        foreach (var name in new[]
        {
            "datamover_operations_total counter", "datamover_phase_duration_seconds histogram", "datamover_current_phase gauge",
            "datamover_pvc_clone_operations_total counter", "datamover_pod_creation_operations_total counter",
            "datamover_data_sync_operations_total counter", "datamover_errors_total counter", "datamover_cleanup_operations_total counter",
        })
        {
            Assert.Contains("# TYPE " + name + "\n", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void WrongLabelCountThrows() =>
        Assert.Throws<ArgumentException>(() => new MetricsRegistry().Counter("c", "h", "a").Increment(1));
}
