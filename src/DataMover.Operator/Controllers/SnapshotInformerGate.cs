using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Kube.Runtime;

namespace DataMover.Operator.Controllers;

/// <summary>
/// Runs the snapshot informers only while the cluster serves <c>snapshot.storage.k8s.io/v1</c>, the way
/// controller-runtime treats an optional kind: the API is probed first (a one-item list of each resource; 404 means
/// the external-snapshotter CRDs are missing), and while it is absent the informers do not run, so there is one
/// Information line instead of a list retrying a 404 forever. The probe is repeated with a bounded back-off, and also
/// while the informers run, so CRDs installed or removed later are noticed without a restart.
/// </summary>
internal sealed partial class SnapshotInformerGate
{
    public static readonly TimeSpan FirstRecheck = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan MaxRecheck = TimeSpan.FromMinutes(5);

    private readonly ResourceClient<VolumeSnapshot> _snapshotsApi;
    private readonly ResourceClient<VolumeSnapshotClass> _classesApi;
    private readonly Informer<VolumeSnapshot> _snapshots;
    private readonly Informer<VolumeSnapshotClass> _classes;
    private readonly string? _namespace;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private volatile bool _served;

    public SnapshotInformerGate(KubeClient client, string? ns, Informer<VolumeSnapshot> snapshots, Informer<VolumeSnapshotClass> classes, TimeProvider time, ILogger logger)
    {
        _snapshotsApi = client.Resource(KubeResources.VolumeSnapshots);
        _classesApi = client.Resource(KubeResources.VolumeSnapshotClasses);
        _namespace = ns;
        _snapshots = snapshots;
        _classes = classes;
        _time = time;
        _logger = logger;
    }

    /// <summary>The API is served and both informers have listed since.</summary>
    public bool Served => _served && _snapshots.HasSynced && _classes.HasSynced;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var recheck = FirstRecheck;
        var announced = false;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var presence = await ProbeAsync(cancellationToken);
                if (presence != ApiPresence.Served)
                {
                    if (presence == ApiPresence.Missing && !announced)
                    {
                        LogUnavailable(_logger, MaxRecheck.TotalMinutes);
                        announced = true;
                    }

                    await Task.Delay(recheck, _time, cancellationToken);
                    recheck = TimeSpan.FromTicks(Math.Min(recheck.Ticks * 2, MaxRecheck.Ticks));
                    continue;
                }

                if (announced)
                {
                    LogAvailable(_logger);
                    announced = false;
                }

                recheck = FirstRecheck;
                await RunWhileServedAsync(cancellationToken);
                LogWithdrawn(_logger);
                announced = true;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    /// <summary>Runs the informers until the probe says the API is gone (then stops them) or shutdown.</summary>
    private async Task RunWhileServedAsync(CancellationToken cancellationToken)
    {
        using var running = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task[] informers = [_snapshots.RunAsync(running.Token), _classes.RunAsync(running.Token)];
        _served = true;
        try
        {
            while (true)
            {
                await Task.Delay(MaxRecheck, _time, cancellationToken);
                if (await ProbeAsync(cancellationToken) == ApiPresence.Missing)
                {
                    return;
                }
            }
        }
        finally
        {
            _served = false;
            await running.CancelAsync();
            await Task.WhenAll(informers);
        }
    }

    private async Task<ApiPresence> ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _snapshotsApi.ListAsync(_namespace, new ListOptions { Limit = 1 }, cancellationToken);
            await _classesApi.ListAsync(null, new ListOptions { Limit = 1 }, cancellationToken);
            return ApiPresence.Served;
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            return ApiPresence.Missing;
        }
        catch (Exception e) when (e is KubeApiException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            // Not an answer about the API (a refused or failed request): the next probe decides.
            LogProbeFailed(_logger, e.Message);
            return ApiPresence.Unknown;
        }
    }

    private enum ApiPresence
    {
        Unknown,
        Served,
        Missing,
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The cluster does not serve snapshot.storage.k8s.io/v1 (the external-snapshotter CRDs are missing): copyMethod Snapshot is unavailable; checking again at most every {Minutes} minutes")]
    private static partial void LogUnavailable(ILogger logger, double minutes);

    [LoggerMessage(Level = LogLevel.Information, Message = "The cluster serves snapshot.storage.k8s.io/v1: starting the VolumeSnapshot informers")]
    private static partial void LogAvailable(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "snapshot.storage.k8s.io/v1 is no longer served: the VolumeSnapshot informers are stopped")]
    private static partial void LogWithdrawn(ILogger logger);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Probing snapshot.storage.k8s.io/v1 failed: {Error}")]
    private static partial void LogProbeFailed(ILogger logger, string error);
}
