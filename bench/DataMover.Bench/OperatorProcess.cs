using System.Diagnostics;

namespace DataMover.Bench;

/// <summary>
/// The operator as its own process under its ServiceAccount (as scripts/demo.sh runs it), so /proc gives its CPU and
/// memory alone; its /readyz and /metrics on ports the bench picked.
/// </summary>
internal sealed class OperatorProcess : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private readonly ChildProcess _process;
    private readonly Uri _health;
    private readonly Uri _metrics;

    private OperatorProcess(ChildProcess process, OperatorBinary binary, int healthPort, int metricsPort)
    {
        _process = process;
        Binary = binary;
        _health = new Uri($"http://127.0.0.1:{healthPort}/readyz");
        _metrics = new Uri($"http://127.0.0.1:{metricsPort}/metrics");
    }

    public OperatorBinary Binary { get; }

    /// <summary>Process start (exec) to the first 200 from /readyz.</summary>
    public TimeSpan StartToReady { get; private set; }

    public ProcessSample Sample() => _process.Sample();

    /// <summary>
    /// Starts the operator with <paramref name="moverImage"/> as its default mover image (null: the operator's own
    /// default, the real mover) and returns once /readyz answers 200 (caches synced).
    /// </summary>
    public static async Task<OperatorProcess> StartAsync(BenchCluster cluster, OperatorBinary binary, string? moverImage, string logPath, CancellationToken ct)
    {
        var healthPort = FreePort.Pick();
        var metricsPort = FreePort.Pick();
        var info = CommandRunner.Info(binary.FileName, [.. binary.LeadingArgs,
            "--kubeconfig", cluster.OperatorKubeconfig,
            "--metrics-bind-address", $"127.0.0.1:{metricsPort}",
            "--health-probe-bind-address", $"127.0.0.1:{healthPort}",
            .. moverImage is null ? Array.Empty<string>() : ["--mover-image", moverImage]]);
        var operatorProcess = new OperatorProcess(ChildProcess.Start("operator (" + binary.Label + ")", info, logPath), binary, healthPort, metricsPort);
        try
        {
            await operatorProcess.WaitReadyAsync(ct);
            return operatorProcess;
        }
        catch
        {
            await operatorProcess.DisposeAsync();
            throw;
        }
    }

    /// <summary>The operator's own count of its API requests, by HTTP method.</summary>
    public async Task<RequestCounts> ScrapeRequestsAsync(CancellationToken ct) =>
        RequestCounts.Parse(await Http.GetStringAsync(_metrics, ct));

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private async Task WaitReadyAsync(CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_process.HasExited)
            {
                throw new BenchException($"the operator exited during startup (see {_process.LogPath})");
            }

            try
            {
                using var response = await Http.GetAsync(_health, ct);
                if (response.IsSuccessStatusCode)
                {
                    StartToReady = Stopwatch.GetElapsedTime(_process.StartedAt);
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(10, ct);
        }

        throw new BenchException($"the operator was not ready after 60 s (see {_process.LogPath})");
    }
}
