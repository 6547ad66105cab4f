using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Kube.Runtime;
using DataMover.Operator.Events;
using DataMover.Operator.Metrics;
using Dm = DataMover.Operator.Api.DataMover;

namespace DataMover.Operator.Controllers;

/// <summary>
/// Wires the informers to the reconcile loop: every change to a DataMover, its clone, its Job, the Job's pods, a
/// clone's events or a source PVC enqueues the DataMover concerned, and a change to a mirror-mode DataMover also the
/// ones waiting for its destination. No timer polls anything.
/// </summary>
internal sealed class DataMoverController : IDisposable
{
    private readonly OperatorCaches _caches;
    private readonly ControllerLoop _loop;

    public DataMoverController(OperatorCaches caches, KubeClient client, IEventSink events, DataMoverMetrics metrics, BackupDefaults defaults, int workers, TimeProvider time, ILoggerFactory loggers, IControllerMetrics? loopMetrics = null)
    {
        _caches = caches;
        var reconciler = new DataMoverReconciler(caches, client, events, metrics, defaults, time, loggers.CreateLogger("DataMover.Operator.DataMoverController"));
        _loop = new ControllerLoop("datamover", reconciler, workers, loggers.CreateLogger("DataMover.Operator.ControllerLoop"), time: time, metrics: loopMetrics);

        caches.DataMovers.AddHandler(new InformerHandler<Dm>(
            dm => _loop.Enqueue(dm.Key()),
            (_, dm) => OnDataMoverChanged(dm),
            OnDataMoverChanged));
        caches.Pvcs.AddHandler(InformerHandler<PersistentVolumeClaim>.Any(OnPvc));
        caches.Jobs.AddHandler(InformerHandler<Job>.Any(EnqueueOwner));
        caches.VolumeSnapshots.AddHandler(InformerHandler<VolumeSnapshot>.Any(EnqueueOwner));
        caches.Pods.AddHandler(InformerHandler<Pod>.Any(OnPod));
        caches.Events.AddHandler(new InformerHandler<Event>(OnEvent, (_, e) => OnEvent(e)));
        caches.JobEvents.AddHandler(new InformerHandler<Event>(OnJobEvent, (_, e) => OnJobEvent(e)));
    }

    public Task RunAsync(CancellationToken cancellationToken) => _loop.RunAsync(cancellationToken);

    /// <summary>Reconciles until <paramref name="stopTakingWork"/>; reconciles in flight then run on until <paramref name="abandonInFlight"/>.</summary>
    public Task<LoopShutdown> RunAsync(CancellationToken stopTakingWork, CancellationToken abandonInFlight) =>
        _loop.RunAsync(stopTakingWork, abandonInFlight);

    public void Dispose() => _loop.Dispose();

    private void OnDataMoverChanged(Dm dm)
    {
        // A mirror-mode DataMover that moves on or goes may free the destination others wait for.
        _loop.Enqueue(dm.Key());
        foreach (var waiter in MirrorDestinationGate.Neighbours(dm, key => _caches.DataMovers.ByIndex(MirrorDestinationGate.Index, key)))
        {
            _loop.Enqueue(waiter.Key());
        }
    }

    private void OnPvc(PersistentVolumeClaim pvc)
    {
        // A clone wakes its owner; any PVC wakes the DataMovers waiting for it as their source.
        EnqueueOwner(pvc);
        foreach (var dm in _caches.DataMovers.ByIndex(OperatorCaches.BySource, pvc.Key()))
        {
            _loop.Enqueue(dm.Key());
        }
    }

    private void OnPod(Pod pod)
    {
        if (pod.Metadata.ControllerReference() is { Kind: "Job" } owner && _caches.Jobs.Get(pod.Metadata.Namespace, owner.Name) is { } job)
        {
            EnqueueOwner(job);
        }
    }

    private void OnEvent(Event evt)
    {
        if (evt.Type == "Warning" && evt.InvolvedObject is { Kind: "PersistentVolumeClaim", Name: { } name } involved
            && _caches.Pvcs.Get(involved.Namespace ?? evt.Metadata.Namespace, name) is { } pvc)
        {
            EnqueueOwner(pvc);
        }
    }

    private void OnJobEvent(Event evt)
    {
        if (evt.InvolvedObject is { Name: { } name } involved && _caches.Jobs.Get(involved.Namespace ?? evt.Metadata.Namespace, name) is { } job)
        {
            EnqueueOwner(job);
        }
    }

    private void EnqueueOwner(KubeObject obj)
    {
        if (obj.Metadata.ControllerReference() is { Kind: "DataMover" } owner)
        {
            _loop.Enqueue(ObjectKey.Of(obj.Metadata.Namespace, owner.Name));
        }
    }
}
