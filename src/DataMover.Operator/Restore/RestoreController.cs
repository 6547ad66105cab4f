using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Kube.Runtime;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;
using DataMover.Operator.Events;
using DataMover.Operator.Metrics;

namespace DataMover.Operator.Restore;

/// <summary>
/// Wires the informers to the restore loop: a restore, its Job and the Job's pods, the DataMover it reads from, its
/// target PVC (and that PVC's warnings), and any pod that mounts the target enqueue the restore. No timer polls.
/// </summary>
internal sealed class RestoreController : IDisposable
{
    private readonly RestoreCaches _restoreCaches;
    private readonly OperatorCaches _caches;
    private readonly ControllerLoop _loop;

    public RestoreController(OperatorCaches caches, RestoreCaches restoreCaches, KubeClient client, IEventSink events, DataMoverMetrics metrics, RestoreDefaults defaults, int workers, TimeProvider time, ILoggerFactory loggers, IControllerMetrics? loopMetrics = null)
    {
        _caches = caches;
        _restoreCaches = restoreCaches;
        var reconciler = new RestoreReconciler(caches, restoreCaches, client, events, metrics, defaults, time, loggers.CreateLogger("DataMover.Operator.RestoreController"));
        _loop = new ControllerLoop("datamoverrestore", reconciler, workers, loggers.CreateLogger("DataMover.Operator.ControllerLoop"), time: time, metrics: loopMetrics);

        restoreCaches.Restores.AddHandler(new InformerHandler<DataMoverRestore>(
            r => _loop.Enqueue(r.Key()),
            (_, r) => _loop.Enqueue(r.Key()),
            r => _loop.Enqueue(r.Key())));
        caches.DataMovers.AddHandler(InformerHandler<Api.DataMover>.Any(dm => EnqueueIndexed(RestoreCaches.BySourceDataMover, dm.Key())));
        caches.Pvcs.AddHandler(InformerHandler<PersistentVolumeClaim>.Any(pvc => EnqueueIndexed(RestoreCaches.ByTargetPvc, pvc.Key())));
        caches.Jobs.AddHandler(InformerHandler<Job>.Any(OnJob));
        caches.Pods.AddHandler(InformerHandler<Pod>.Any(OnMoverPod));
        caches.Events.AddHandler(new InformerHandler<Event>(OnEvent, (_, e) => OnEvent(e)));
        caches.JobEvents.AddHandler(new InformerHandler<Event>(OnJobEvent, (_, e) => OnJobEvent(e)));
        restoreCaches.AllPods.AddHandler(InformerHandler<Pod>.Any(OnAnyPod));
    }

    /// <summary>Reconciles until <paramref name="stopTakingWork"/>; reconciles in flight then run on until <paramref name="abandonInFlight"/>.</summary>
    public Task<LoopShutdown> RunAsync(CancellationToken stopTakingWork, CancellationToken abandonInFlight) =>
        _loop.RunAsync(stopTakingWork, abandonInFlight);

    public void Dispose() => _loop.Dispose();

    private void OnMoverPod(Pod pod)
    {
        if (pod.Metadata.ControllerReference() is { Kind: "Job" } owner && _caches.Jobs.Get(pod.Metadata.Namespace, owner.Name) is { } job)
        {
            EnqueueOwner(job);
        }
    }

    private void OnJob(Job job)
    {
        EnqueueOwner(job);
        if (Retention.PruneJobBuilder.IsPruneComponent(job.Metadata.Label(DataMoverLabels.Component)))
        {
            // A prune Job that finishes or goes lets the restores waiting for it (RestoreWaitingForPrune) go on.
            foreach (var restore in _restoreCaches.Restores.List(job.Metadata.Namespace).Where(r => r.Status?.Phase == RestorePhase.PreparingTarget))
            {
                _loop.Enqueue(restore.Key());
            }
        }
    }

    private void OnJobEvent(Event evt)
    {
        if (evt.InvolvedObject is { Name: { } name } involved && _caches.Jobs.Get(involved.Namespace ?? evt.Metadata.Namespace, name) is { } job)
        {
            EnqueueOwner(job);
        }
    }

    private void OnAnyPod(Pod pod)
    {
        // A pod that starts or stops mounting a target wakes the restores waiting for it to be free.
        foreach (var claim in RestoreCaches.Claims(pod))
        {
            EnqueueIndexed(RestoreCaches.ByTargetPvc, ObjectKey.Of(pod.Metadata.Namespace, claim));
        }
    }

    private void OnEvent(Event evt)
    {
        if (evt.Type == "Warning" && evt.InvolvedObject is { Kind: "PersistentVolumeClaim", Name: { } name } involved)
        {
            EnqueueIndexed(RestoreCaches.ByTargetPvc, ObjectKey.Of(involved.Namespace ?? evt.Metadata.Namespace, name));
        }
    }

    private void EnqueueIndexed(string index, string key)
    {
        foreach (var restore in _restoreCaches.Restores.ByIndex(index, key))
        {
            _loop.Enqueue(restore.Key());
        }
    }

    private void EnqueueOwner(KubeObject obj)
    {
        if (obj.Metadata.ControllerReference() is { Kind: RestoreLabels.Kind } owner)
        {
            _loop.Enqueue(ObjectKey.Of(obj.Metadata.Namespace, owner.Name));
        }
    }
}
