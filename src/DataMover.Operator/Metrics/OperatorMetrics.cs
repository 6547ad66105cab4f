using Prometheus;

namespace DataMover.Operator.Metrics;

/// <summary>
/// Every metric of one operator, in a registry of its own: tests run several operators in one process, so the
/// process-wide default registry of prometheus-net is never used (and never collected, so its default collectors never start).
/// </summary>
internal sealed class OperatorMetrics
{
    /// <summary>The Prometheus text exposition format prometheus-net writes.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly CollectorRegistry _registry;

    public OperatorMetrics()
    {
        _registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(_registry);
        DataMovers = new DataMoverMetrics(factory);
        Runtime = new ControllerRuntimeMetrics(factory, _registry);

        // process_* (as controller-runtime's process collector) and dotnet_* (as its Go collector's go_*).
        DotNetStats.Register(_registry);
        _ = new ProcessMetrics(factory, _registry);
    }

    public DataMoverMetrics DataMovers { get; }

    public ControllerRuntimeMetrics Runtime { get; }

    public Task WriteAsync(Stream destination, CancellationToken cancellationToken) => _registry.CollectAndExportAsTextAsync(destination, cancellationToken);

    /// <summary>The exposition as text, for tests and tools.</summary>
    public async Task<string> RenderAsync(CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await WriteAsync(buffer, cancellationToken);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
