using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Kube.Runtime;
using DataMover.Operator.Api;
using DataMover.Operator.Scheduling;

namespace DataMover.Operator.Controllers;

/// <summary>
/// The DataMoverSchedule controller, self-contained for the host: it owns an informer of schedules, an informer of
/// scheduled DataMovers (indexed by controller owner UID) and the reconcile loop. Start it with <see cref="RunAsync(CancellationToken)"/>.
/// </summary>
internal sealed class ScheduleController : IDisposable
{
    private readonly Informer<DataMoverSchedule> _schedules;
    private readonly Informer<Api.DataMover> _runs;
    private readonly ControllerLoop _loop;

    public ScheduleController(KubeClient client, ScheduleControllerOptions options)
    {
        var loggers = options.LoggerFactory;

        // Informers keep the system clock: their backoffs are about the network, not the schedule.
        _schedules = new Informer<DataMoverSchedule>(client, DataMoverResources.Schedules,
            new InformerOptions { Namespace = options.Namespace }, loggers.CreateLogger("DataMover.Informer.DataMoverSchedule"));
        _runs = new Informer<Api.DataMover>(client, DataMoverResources.DataMovers,
            new InformerOptions { Namespace = options.Namespace, LabelSelector = ScheduleLabels.Schedule },
            loggers.CreateLogger("DataMover.Informer.ScheduledDataMover"));
        _runs.AddIndex(IndexFuncs.ControllerUid, IndexFuncs.ByControllerUid);

        var store = new KubeScheduleStore(client, _schedules, _runs);
        var events = options.Events ?? new LoggingScheduleEvents(loggers.CreateLogger("DataMover.Events"));
        var pruner = options.Retention is { } retention
            ? new Retention.SchedulePruner(retention, events, options.Time, loggers.CreateLogger<Retention.SchedulePruner>())
            : null;
        var reconciler = new ScheduleReconciler(store, events, options.Time, loggers.CreateLogger<ScheduleReconciler>(), options.Admission, options.Metrics, pruner);

        // The loop's queue takes the same clock, so After(next scheduled time) fires when a fake clock is advanced.
        _loop = new ControllerLoop("schedule", reconciler, options.Workers, loggers.CreateLogger<ScheduleController>(), time: options.Time, metrics: options.LoopMetrics);

        _schedules.AddHandler(InformerHandler<DataMoverSchedule>.Any(s => _loop.Enqueue(s.Key())));
        _runs.AddHandler(InformerHandler<Api.DataMover>.Any(EnqueueOwner));
        if (options.Retention is { } shared)
        {
            // A prune Job or its pod that changes moves the prune on; a restore that finishes may let a waiting prune start.
            shared.Jobs.AddHandler(InformerHandler<Job>.Any(EnqueueOwner));
            shared.Pods.AddHandler(InformerHandler<Pod>.Any(pod => OnPrunePod(pod, shared.Jobs)));
            shared.Restores.AddHandler(new InformerHandler<DataMoverRestore>(
                OnUpdate: (before, after) =>
                {
                    if (Restore.RestorePhase.IsTerminal(after.Status?.Phase) && !Restore.RestorePhase.IsTerminal(before.Status?.Phase))
                    {
                        EnqueuePruningSchedules(after);
                    }
                },
                OnDelete: EnqueuePruningSchedules));
        }
    }

    /// <summary>Its informers, for health probes.</summary>
    public IReadOnlyList<IInformer> Informers => [_schedules, _runs];

    /// <summary>Runs informers and the loop until cancelled; reconciles start once both caches are synced.</summary>
    public Task RunAsync(CancellationToken cancellationToken) => RunAsync(cancellationToken, cancellationToken);

    /// <summary>
    /// Runs informers and the loop until <paramref name="stopTakingWork"/>; reconciles in flight then run on until
    /// <paramref name="abandonInFlight"/>. Returns how the loop ended (nothing in flight when it never started).
    /// </summary>
    public async Task<LoopShutdown> RunAsync(CancellationToken stopTakingWork, CancellationToken abandonInFlight)
    {
        var cancellationToken = stopTakingWork;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var informers = Task.WhenAll(_schedules.RunAsync(stop.Token), _runs.RunAsync(stop.Token));
        try
        {
            await _schedules.WaitForSyncAsync(cancellationToken);
            await _runs.WaitForSyncAsync(cancellationToken);
            return await _loop.RunAsync(stopTakingWork, abandonInFlight);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down before the caches synced.
            return new LoopShutdown(0, 0);
        }
        finally
        {
            await stop.CancelAsync();
            await informers;
        }
    }

    public void Dispose() => _loop.Dispose();

    private void EnqueueOwner(Kube.Models.KubeObject owned)
    {
        if (owned.Metadata.ControllerReference() is { Kind: "DataMoverSchedule" } owner)
        {
            _loop.Enqueue(Kube.Models.ObjectKey.Of(owned.Metadata.Namespace, owner.Name));
        }
    }

    private void OnPrunePod(Pod pod, Informer<Job> jobs)
    {
        if (Retention.PruneJobBuilder.IsPruneComponent(pod.Metadata.Label(DataMoverLabels.Component))
            && pod.Metadata.ControllerReference() is { Kind: "Job" } owner && jobs.Get(pod.Metadata.Namespace, owner.Name) is { } job)
        {
            EnqueueOwner(job);
        }
    }

    /// <summary>The schedules with spec.retention in the restore's namespace: any may have a prune waiting for it.</summary>
    private void EnqueuePruningSchedules(DataMoverRestore restore)
    {
        foreach (var schedule in _schedules.List(restore.Metadata.Namespace).Where(s => s.Spec?.Retention is not null))
        {
            _loop.Enqueue(schedule.Key());
        }
    }
}
