using DataMover.Kube.Client;

namespace DataMover.Sandbox.ControlPlane;

/// <summary>
/// kube-controller-manager and kube-scheduler of the sandbox: every controller talks to the API server only as a
/// client over HTTP, exactly as the real ones do.
/// </summary>
public sealed class ControlPlaneHost
{
    private readonly KubeClient _client;
    private readonly ControlPlaneOptions _options;
    private readonly ILoggerFactory _loggers;

    public ControlPlaneHost(KubeClient client, ControlPlaneOptions options, ILoggerFactory loggers)
    {
        _client = client;
        _options = options;
        _loggers = loggers;
    }

    /// <summary>Runs all controllers until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var informers = new InformerSet(_client, _loggers);
        var catalog = new ResourceCatalog(informers);
        var lifecycle = new NodeLifecycleController(_client, informers, _loggers);
        var scheduler = new PodScheduler(_client, informers, _loggers, 1);
        var binder = new PvBinder(_client, informers, _loggers, _options.Workers);
        var protection = new ProtectionController(_client, informers, _loggers, _options.Workers);
        var jobs = new JobController(_client, informers, _options, _loggers);
        var gc = new GarbageCollector(_client, catalog, _loggers, _options.Workers);
        var namespaces = new NamespaceController(_client, informers, catalog, gc, _loggers);

        var run = informers.RunAsync(cancellationToken);
        try
        {
            await informers.WaitForSyncAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }

        await Task.WhenAll(
            run,
            lifecycle.Loop.RunAsync(cancellationToken),
            scheduler.Loop.RunAsync(cancellationToken),
            binder.Loop.RunAsync(cancellationToken),
            protection.Loop.RunAsync(cancellationToken),
            jobs.Loop.RunAsync(cancellationToken),
            gc.RunAsync(cancellationToken),
            namespaces.Loop.RunAsync(cancellationToken));
    }
}
