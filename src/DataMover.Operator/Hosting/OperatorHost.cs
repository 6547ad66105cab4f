using DataMover.Kube.Client;
using DataMover.Kube.Runtime;
using DataMover.Operator.Controllers;
using DataMover.Operator.Events;
using DataMover.Operator.Metrics;

namespace DataMover.Operator.Hosting;

/// <summary>
/// The operator in one object: informers, the DataMover controller (and any extra controllers), metrics and probe
/// endpoints. Started in-process by the executable, by tests and by the demo; stopping it at any instant is safe,
/// as a crash would be.
/// </summary>
public sealed partial class OperatorHost : IAsyncDisposable
{
    private readonly OperatorOptions _options;
    private readonly KubeClient _client;
    private readonly ILoggerFactory _loggers;
    private readonly bool _ownsLoggers;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private HttpEndpoint? _metricsEndpoint;
    private HttpEndpoint? _healthEndpoint;
    private volatile bool _synced;
    private volatile bool _standby;
    private int _stopped;

    private OperatorHost(OperatorOptions options, KubeClient client, ILoggerFactory loggers, bool ownsLoggers)
    {
        _options = options;
        _client = client;
        _loggers = loggers;
        _ownsLoggers = ownsLoggers;
        _logger = loggers.CreateLogger("DataMover.Operator");
        Metrics = new DataMoverMetrics(new MetricsRegistry());
    }

    /// <summary>Base URL of the metrics server (null when disabled).</summary>
    public Uri? MetricsUrl => _metricsEndpoint?.Url;

    /// <summary>Base URL of the probe server (null when disabled).</summary>
    public Uri? HealthUrl => _healthEndpoint?.Url;

    /// <summary>True once every informer has synced (or, with leader election, while standing by).</summary>
    public bool IsReady => _synced || _standby;

    /// <summary>Ends when the operator stops: on <see cref="StopAsync"/>, or faulted when it cannot go on (lost leadership).</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    internal DataMoverMetrics Metrics { get; }

    /// <summary>Starts the servers and, in the background, the controllers.</summary>
    public static async Task<OperatorHost> StartAsync(OperatorOptions options, CancellationToken cancellationToken = default)
    {
        var ownsLoggers = options.LoggerFactory is null;
        var loggers = options.LoggerFactory ?? LoggerFactory.Create(b => b.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
        }));
        var client = new KubeClient(options.ResolveClientSettings());
        var host = new OperatorHost(options, client, loggers, ownsLoggers);
        try
        {
            await host.StartServersAsync(cancellationToken);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        host.Completion = Task.Run(() => host.RunAsync(host._stop.Token), CancellationToken.None);
        return host;
    }

    /// <summary>Waits until the caches have synced.</summary>
    public async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        while (!_synced)
        {
            if (Completion.IsCompleted)
            {
                await Completion;
                throw new InvalidOperationException("the operator stopped before it was ready");
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>Stops the controllers (in-flight reconciles finish), then the servers.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        try
        {
            await Completion;
        }
        catch (Exception e) when (e is OperationCanceledException)
        {
            // Stopping is the expected end.
        }
        catch (Exception e)
        {
            LogStopFailed(_logger, e);
        }

        if (_metricsEndpoint is not null)
        {
            await _metricsEndpoint.DisposeAsync();
        }

        if (_healthEndpoint is not null)
        {
            await _healthEndpoint.DisposeAsync();
        }

        _client.Dispose();
        _stop.Dispose();
        if (_ownsLoggers)
        {
            _loggers.Dispose();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task StartServersAsync(CancellationToken cancellationToken)
    {
        if (BindAddress.Parse(_options.MetricsBindAddress) is { } metrics)
        {
            _metricsEndpoint = await HttpEndpoint.StartAsync(metrics, new Dictionary<string, Func<HttpContext, Task>>
            {
                ["/metrics"] = ctx =>
                {
                    ctx.Response.ContentType = PrometheusTextWriter.ContentType;
                    return ctx.Response.WriteAsync(Metrics.Registry.Render());
                },
            }, cancellationToken);
        }

        if (BindAddress.Parse(_options.HealthProbeBindAddress) is { } health)
        {
            _healthEndpoint = await HttpEndpoint.StartAsync(health, new Dictionary<string, Func<HttpContext, Task>>
            {
                ["/healthz"] = ctx => ctx.Response.WriteAsync("ok"),
                ["/readyz"] = ctx =>
                {
                    if (IsReady)
                    {
                        return ctx.Response.WriteAsync("ok");
                    }

                    ctx.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                    return ctx.Response.WriteAsync("informer caches not synced");
                },
            }, cancellationToken);
        }

        LogStarted(_logger, _options.Namespace ?? "(all)", MetricsUrl?.ToString() ?? "disabled", HealthUrl?.ToString() ?? "disabled", _options.MoverImage);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!_options.LeaderElect)
        {
            await RunControllersAsync(cancellationToken);
            return;
        }

        _standby = true;
        await LeaderElection.RunAsync(_client, _options, _loggers, async leading =>
        {
            _standby = false;
            await RunControllersAsync(leading);
        }, cancellationToken);
    }

    private async Task RunControllersAsync(CancellationToken cancellationToken)
    {
        var caches = new OperatorCaches(_client, _options.Namespace, _loggers, _options.Time);
        await using var recorder = new EventRecorder(_client, "datamover-operator", Environment.GetEnvironmentVariable("POD_NAME") ?? Environment.MachineName, _options.Time, _loggers.CreateLogger<EventRecorder>());
        var events = new EventRecorderSink(recorder);
        var workers = Math.Max(1, _options.MaxConcurrentReconciles);
        using var controller = new DataMoverController(caches, _client, events, Metrics, new BackupDefaults { MoverImage = _options.MoverImage, Timeouts = _options.Timeouts }, workers, _options.Time, _loggers);
        using var schedules = new ScheduleController(_client, new ScheduleControllerOptions
        {
            Namespace = _options.Namespace,
            Time = _options.Time,
            LoggerFactory = _loggers,
            Events = events,
            Workers = workers,
        });
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var informers = caches.Run(linked.Token).ToList();
        try
        {
            await caches.WaitForSyncAsync(cancellationToken);
            _synced = true;
            LogSynced(_logger);
            var context = new OperatorContext(_client, _loggers, _options.Time, _options.Namespace, _options.MoverImage);
            var runners = new List<Task> { controller.RunAsync(cancellationToken), schedules.RunAsync(cancellationToken) };
            runners.AddRange(_options.Controllers.Select(c => Task.Run(() => c(context, cancellationToken), CancellationToken.None)));
            await Task.WhenAll(runners);
        }
        finally
        {
            _synced = false;
            await linked.CancelAsync();
            await Task.WhenAll(informers);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "DataMover operator starting: namespace {Namespace}, metrics {Metrics}, probes {Health}, mover image {Image}")]
    private static partial void LogStarted(ILogger logger, string @namespace, string metrics, string health, string image);

    [LoggerMessage(Level = LogLevel.Information, Message = "Informer caches synced; reconciling DataMovers")]
    private static partial void LogSynced(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "The operator stopped with an error")]
    private static partial void LogStopFailed(ILogger logger, Exception exception);
}
