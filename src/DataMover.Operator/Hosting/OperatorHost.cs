using DataMover.Kube.Client;
using DataMover.Kube.Runtime;
using DataMover.Operator.Controllers;
using DataMover.Operator.Events;
using DataMover.Operator.Metrics;
using DataMover.Operator.Restore;

namespace DataMover.Operator.Hosting;

/// <summary>
/// The operator in one object: informers, the DataMover and schedule controllers, metrics and probe endpoints.
/// Started in-process by the executable, by tests and by the demo. Stopping it at any instant is safe, as a crash would
/// be; a stop takes no new work, gives reconciles in flight <see cref="OperatorOptions.ShutdownGrace"/>, then releases
/// the leader Lease and logs one line.
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
    private volatile IReadOnlyList<IInformer> _informers = [];
    private int _stopped;
    private LoopShutdown _loops = new(0, 0);
    private bool? _leaseReleased;

    private OperatorHost(OperatorOptions options, KubeClient client, OperatorMetrics metrics, ILoggerFactory loggers, bool ownsLoggers)
    {
        _options = options;
        _client = client;
        _loggers = loggers;
        _ownsLoggers = ownsLoggers;
        _logger = loggers.CreateLogger("DataMover.Operator");
        AllMetrics = metrics;
    }

    /// <summary>Base URL of the metrics server (null when disabled).</summary>
    public Uri? MetricsUrl => _metricsEndpoint?.Url;

    /// <summary>Base URL of the probe server (null when disabled).</summary>
    public Uri? HealthUrl => _healthEndpoint?.Url;

    /// <summary>True once every informer has synced (or, with leader election, while standing by).</summary>
    public bool IsReady => _synced || _standby;

    /// <summary>Ends when the operator stops: on <see cref="StopAsync"/>, or faulted when it cannot go on (lost leadership).</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    internal DataMoverMetrics Metrics => AllMetrics.DataMovers;

    /// <summary>This operator's registry: the DataMover families, controller-runtime's and the process's.</summary>
    internal OperatorMetrics AllMetrics { get; }

    /// <summary>Starts the servers and, in the background, the controllers.</summary>
    public static async Task<OperatorHost> StartAsync(OperatorOptions options, CancellationToken cancellationToken = default)
    {
        var ownsLoggers = options.LoggerFactory is null;
        var loggers = options.LoggerFactory ?? OperatorLogging.CreateFactory(options.LogFormat, options.LogLevels);
        var metrics = new OperatorMetrics();
        var client = new KubeClient(options.ResolveClientSettings() with { Metrics = metrics.Runtime });
        var host = new OperatorHost(options, client, metrics, loggers, ownsLoggers);
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
            LogShutdown(_logger, _loops.Finished, _loops.Abandoned, _leaseReleased switch
            {
                null => "no lease held",
                true => "lease released",
                false => "lease not released",
            });
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
            var access = _options.MetricsSecure ? new MetricsAccessCheck(_client, _loggers.CreateLogger<MetricsAccessCheck>()) : null;
            _metricsEndpoint = await HttpEndpoint.StartAsync(metrics, new Dictionary<string, Func<HttpContext, Task>>
            {
                ["/metrics"] = async ctx =>
                {
                    if (access is not null && await access.RefuseAsync(ctx) is not null)
                    {
                        return;
                    }

                    ctx.Response.ContentType = OperatorMetrics.ContentType;
                    await AllMetrics.WriteAsync(ctx.Response.Body, ctx.RequestAborted);
                },
            }, cancellationToken, _options.MetricsSecure ? MetricsCertificate.Load(_options.MetricsCertDir) : null);
        }

        if (BindAddress.Parse(_options.HealthProbeBindAddress) is { } health)
        {
            _healthEndpoint = await HttpEndpoint.StartAsync(health, new Dictionary<string, Func<HttpContext, Task>>
            {
                ["/healthz"] = ctx => ctx.Response.WriteAsync("ok"),
                ["/readyz"] = ctx =>
                {
                    if (!IsReady)
                    {
                        ctx.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                        return ctx.Response.WriteAsync("informer caches not synced");
                    }

                    if (UnhealthyInformers() is { Length: > 0 } reason)
                    {
                        // As controller-runtime's healthz checker answers a failed check.
                        ctx.Response.StatusCode = StatusCodes.Status500InternalServerError;
                        return ctx.Response.WriteAsync("[-]informers failed: " + reason);
                    }

                    return ctx.Response.WriteAsync("ok");
                },
            }, cancellationToken);
        }

        LogStarted(_logger, OperatorVersion.Current, _options.Namespace ?? "(all)", MetricsUrl?.ToString() ?? "disabled", HealthUrl?.ToString() ?? "disabled", _options.MoverImage);
    }

    /// <summary>The informers out of sync longer than the limit, described for the probe; empty when all are fine.</summary>
    private string UnhealthyInformers()
    {
        var now = TimeProvider.System.GetUtcNow();
        var limit = _options.InformerUnhealthyAfter;
        return string.Join("; ", _informers
            .Select(i => (i.Resource, Health: i.Health))
            .Where(i => i.Health.IsUnhealthyFor(limit, now))
            .Select(i => $"{i.Resource} not synced for {(now - i.Health.UnhealthySince!.Value).TotalSeconds:0}s: {i.Health.LastError ?? "not listed yet"}"));
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!_options.LeaderElect)
        {
            await RunControllersAsync(cancellationToken);
            return;
        }

        _standby = true;
        _leaseReleased = await LeaderElection.RunAsync(_client, _options, _loggers, AllMetrics.Runtime, async leading =>
        {
            _standby = false;
            await RunControllersAsync(leading);
        }, cancellationToken);
    }

    private async Task RunControllersAsync(CancellationToken cancellationToken)
    {
        // A requested stop lets reconciles in flight finish within the grace; lost leadership (the token cancelled
        // without a stop) abandons them at once, as a successor may already be running.
        using var abandon = new CancellationTokenSource();
        await using var graceTimer = cancellationToken.Register(() =>
        {
            if (_stop.IsCancellationRequested)
            {
                abandon.CancelAfter(_options.ShutdownGrace);
            }
            else
            {
                abandon.Cancel();
            }
        });
        var caches = new OperatorCaches(_client, _options.Namespace, _loggers, _options.Time);
        await using var recorder = new EventRecorder(_client, "datamover-operator", Environment.GetEnvironmentVariable("POD_NAME") ?? Environment.MachineName, _options.Time, _loggers.CreateLogger<EventRecorder>());
        var events = new EventRecorderSink(recorder);
        var workers = Math.Max(1, _options.MaxConcurrentReconciles);
        using var controller = new DataMoverController(caches, _client, events, Metrics, new BackupDefaults { MoverImage = _options.MoverImage, Timeouts = _options.Timeouts, AllowedMoverImages = _options.AllowedMoverImages, MoverPod = _options.MoverPodDefaults, AllowMoverRoot = _options.AllowMoverRoot }, workers, _options.Time, _loggers, AllMetrics.Runtime);
        var restoreCaches = new RestoreCaches(_client, _options.Namespace, _loggers, _options.Time);
        using var restores = new RestoreController(caches, restoreCaches, _client, events, Metrics, new RestoreDefaults
        {
            MoverImage = _options.MoverImage,
            Timeouts = _options.Timeouts,
            AllowedMoverImages = _options.AllowedMoverImages,
            AllowPrivilegedRestore = _options.AllowPrivilegedRestore,
            MoverPod = _options.MoverPodDefaults,
            AllowMoverRoot = _options.AllowMoverRoot,
        }, workers, _options.Time, _loggers, AllMetrics.Runtime);
        using var schedules = new ScheduleController(_client, new ScheduleControllerOptions
        {
            Namespace = _options.Namespace,
            Time = _options.Time,
            LoggerFactory = _loggers,
            Events = events,
            Workers = workers,
            Admission = new Security.MoverAdmission(new Security.MoverImagePolicy(_options.MoverImage, _options.AllowedMoverImages), Security.MoverPodSettingsPolicy.For(_options.AllowMoverRoot)),
            Metrics = Metrics.Schedules,
            LoopMetrics = AllMetrics.Runtime,
            Retention = new Retention.SchedulePrunerContext(_client, caches.Jobs, caches.Pods, restoreCaches.Restores, caches.DataMovers, caches.ServiceAccounts, _options.MoverImage, _options.MoverPodDefaults),
        });
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var informers = caches.Run(linked.Token).Concat(restoreCaches.Run(linked.Token)).ToList();
        _informers = [.. caches.All, .. restoreCaches.All, .. schedules.Informers];
        try
        {
            var scheduling = schedules.RunAsync(cancellationToken, abandon.Token);
            var restoring = RunRestoresAsync(restores, caches, restoreCaches, cancellationToken, abandon.Token);
            try
            {
                await caches.WaitForSyncAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await Task.WhenAll(scheduling, restoring);
                return;
            }

            _synced = true;
            LogSynced(_logger);
            var loops = await Task.WhenAll(controller.RunAsync(cancellationToken, abandon.Token), restoring, scheduling);
            _loops = new LoopShutdown(loops.Sum(l => l.Finished), loops.Sum(l => l.Abandoned));
        }
        finally
        {
            _synced = false;
            _informers = [];
            await linked.CancelAsync();
            await Task.WhenAll(informers);
        }
    }

    /// <summary>
    /// Restores start once the shared informers and their own have synced (a restore must see every pod that mounts its
    /// target), and apart from the DataMover controller: a cluster without the DataMoverRestore CRD still gets backups.
    /// </summary>
    private static async Task<LoopShutdown> RunRestoresAsync(RestoreController restores, OperatorCaches shared, RestoreCaches caches, CancellationToken stopTakingWork, CancellationToken abandonInFlight)
    {
        try
        {
            await Task.WhenAll(shared.WaitForSyncAsync(stopTakingWork), caches.WaitForSyncAsync(stopTakingWork));
        }
        catch (OperationCanceledException) when (stopTakingWork.IsCancellationRequested)
        {
            return new LoopShutdown(0, 0);
        }

        return await restores.RunAsync(stopTakingWork, abandonInFlight);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "DataMover operator {Version} starting: namespace {Namespace}, metrics {Metrics}, probes {Health}, mover image {Image}")]
    private static partial void LogStarted(ILogger logger, string version, string @namespace, string metrics, string health, string image);

    [LoggerMessage(Level = LogLevel.Information, Message = "Informer caches synced; reconciling DataMovers")]
    private static partial void LogSynced(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shutting down: stopped taking work, {Finished} reconciles finished, {Abandoned} abandoned, {Lease}")]
    private static partial void LogShutdown(ILogger logger, int finished, int abandoned, string lease);

    [LoggerMessage(Level = LogLevel.Error, Message = "The operator stopped with an error")]
    private static partial void LogStopFailed(ILogger logger, Exception exception);
}
