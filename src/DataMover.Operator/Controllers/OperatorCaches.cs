using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Kube.Runtime;
using DataMover.Operator.Api;
using Dm = DataMover.Operator.Api.DataMover;

namespace DataMover.Operator.Controllers;

/// <summary>The informers the DataMover controller reads from, with the indexes it looks objects up by.</summary>
internal sealed class OperatorCaches
{
    /// <summary>DataMovers by "namespace/sourcePvc": a PVC that appears or binds wakes the DataMovers waiting on it.</summary>
    public const string BySource = "source-pvc";

    /// <summary>Events by the uid of the object they are about.</summary>
    public const string ByInvolvedUid = "involved-uid";

    /// <summary>Pods by the claims their volumes name ("namespace/claim").</summary>
    public const string ByClaim = "claim";

    private readonly SnapshotInformerGate _snapshotGate;

    public OperatorCaches(KubeClient client, string? ns, ILoggerFactory loggers, TimeProvider time)
    {
        InformerOptions Scoped(string? labelSelector = null, string? fieldSelector = null) =>
            new() { Namespace = ns, LabelSelector = labelSelector, FieldSelector = fieldSelector };

        DataMovers = new Informer<Dm>(client, DataMoverResources.DataMovers, Scoped(), loggers.CreateLogger("Informer.DataMover"), time);
        DataMovers.AddIndex(BySource, SourceKeys);
        DataMovers.AddIndex(MirrorDestinationGate.Index, MirrorDestinationGate.Keys);

        // Every PVC in scope: source PVCs carry no label of ours, and a second, labelled informer for the clones would
        // only hold again objects this one holds (clones are few and short-lived; trimmed PVCs are small).
        Pvcs = new Informer<PersistentVolumeClaim>(client, KubeResources.PersistentVolumeClaims, Scoped(), loggers.CreateLogger("Informer.PVC"), time);
        Pvcs.SetTransform(InformerTransforms.PvcForCache);
        Pvcs.AddIndex(IndexFuncs.ControllerUid, IndexFuncs.ByControllerUid);

        Jobs = new Informer<Job>(client, KubeResources.Jobs, Scoped(DataMoverLabels.CreatedBySelector), loggers.CreateLogger("Informer.Job"), time);
        Jobs.SetTransform(InformerTransforms.JobForCache);
        Jobs.AddIndex(IndexFuncs.ControllerUid, IndexFuncs.ByControllerUid);

        Pods = new Informer<Pod>(client, KubeResources.Pods, Scoped(DataMoverLabels.CreatedBySelector), loggers.CreateLogger("Informer.Pod"), time);
        Pods.SetTransform(InformerTransforms.PodForCache);
        Pods.AddIndex(IndexFuncs.ControllerUid, IndexFuncs.ByControllerUid);
        Pods.AddIndex(ByClaim, p => (p.Spec?.Volumes ?? []).Where(v => v.PersistentVolumeClaim is not null).Select(v => ObjectKey.Of(p.Metadata.Namespace, v.PersistentVolumeClaim!.ClaimName)));

        // Only warnings are read (a provisioner's or a binder's complaint): the Normal events every clone gets
        // (Provisioning, ProvisioningSucceeded, ...) would cost a parse and a cache entry each and tell nothing.
        Events = new Informer<Event>(client, KubeResources.Events, Scoped(fieldSelector: "involvedObject.kind=PersistentVolumeClaim,type=Warning"), loggers.CreateLogger("Informer.Event"), time);
        Events.AddIndex(ByInvolvedUid, e => e.InvolvedObject?.Uid is { } uid ? [uid] : []);

        // The job controller's warnings on the movers' Jobs (FailedCreate: a missing ServiceAccount, a refused pod).
        JobEvents = new Informer<Event>(client, KubeResources.Events, Scoped(fieldSelector: "involvedObject.kind=Job,type=Warning"), loggers.CreateLogger("Informer.JobEvent"), time);
        JobEvents.AddIndex(ByInvolvedUid, e => e.InvolvedObject?.Uid is { } uid ? [uid] : []);

        StorageClasses = new Informer<StorageClass>(client, KubeResources.StorageClasses, new InformerOptions(), loggers.CreateLogger("Informer.StorageClass"), time);

        // copyMethod Snapshot: the operator's VolumeSnapshots and the classes to pick from. Outside HasSynced and the
        // health probes: a cluster without the snapshot CRDs still runs Clone backups (see SnapshotsServed).
        VolumeSnapshots = new Informer<VolumeSnapshot>(client, KubeResources.VolumeSnapshots, Scoped(DataMoverLabels.CreatedBySelector), loggers.CreateLogger("Informer.VolumeSnapshot"), time);
        VolumeSnapshots.AddIndex(IndexFuncs.ControllerUid, IndexFuncs.ByControllerUid);
        VolumeSnapshotClasses = new Informer<VolumeSnapshotClass>(client, KubeResources.VolumeSnapshotClasses, new InformerOptions(), loggers.CreateLogger("Informer.VolumeSnapshotClass"), time);
        _snapshotGate = new SnapshotInformerGate(client, ns, VolumeSnapshots, VolumeSnapshotClasses, time, loggers.CreateLogger("SnapshotApi"));

        // The movers' ServiceAccounts (Security.MoverServiceAccounts): only those the operator labelled.
        ServiceAccounts = Security.MoverServiceAccounts.CreateInformer(client, ns, loggers.CreateLogger("Informer.ServiceAccount"), time);
    }

    public Informer<Dm> DataMovers { get; }
    public Informer<PersistentVolumeClaim> Pvcs { get; }
    public Informer<Job> Jobs { get; }
    public Informer<Pod> Pods { get; }
    public Informer<Event> Events { get; }
    public Informer<Event> JobEvents { get; }
    public Informer<StorageClass> StorageClasses { get; }
    public Informer<Security.ServiceAccount> ServiceAccounts { get; }
    public Informer<VolumeSnapshot> VolumeSnapshots { get; }
    public Informer<VolumeSnapshotClass> VolumeSnapshotClasses { get; }

    /// <summary>Whether the snapshot informers run and have listed: false while the cluster lacks the snapshot CRDs.</summary>
    public bool SnapshotsServed => _snapshotGate.Served;

    /// <summary>Every informer, for health probes.</summary>
    public IReadOnlyList<IInformer> All => [DataMovers, Pvcs, Jobs, Pods, Events, JobEvents, StorageClasses, ServiceAccounts];

    public bool HasSynced =>
        DataMovers.HasSynced && Pvcs.HasSynced && Jobs.HasSynced && Pods.HasSynced && Events.HasSynced && JobEvents.HasSynced && StorageClasses.HasSynced && ServiceAccounts.HasSynced;

    public IEnumerable<Task> Run(CancellationToken cancellationToken) =>
    [
        DataMovers.RunAsync(cancellationToken), Pvcs.RunAsync(cancellationToken), Jobs.RunAsync(cancellationToken),
        Pods.RunAsync(cancellationToken), Events.RunAsync(cancellationToken), JobEvents.RunAsync(cancellationToken), StorageClasses.RunAsync(cancellationToken), ServiceAccounts.RunAsync(cancellationToken),
        _snapshotGate.RunAsync(cancellationToken),
    ];

    public Task WaitForSyncAsync(CancellationToken cancellationToken) => Task.WhenAll(
        DataMovers.WaitForSyncAsync(cancellationToken), Pvcs.WaitForSyncAsync(cancellationToken), Jobs.WaitForSyncAsync(cancellationToken),
        Pods.WaitForSyncAsync(cancellationToken), Events.WaitForSyncAsync(cancellationToken), JobEvents.WaitForSyncAsync(cancellationToken), StorageClasses.WaitForSyncAsync(cancellationToken),
        ServiceAccounts.WaitForSyncAsync(cancellationToken));

    /// <summary>The source the DataMover acted on (recorded), else the one its spec names.</summary>
    public static string? SourceOf(Dm dm) => dm.Status?.AcceptedSpec?.SourcePvc ?? dm.Spec?.SourcePvc;

    /// <summary>The latest Warning event about a PVC (a provisioner's or a binder's complaint), or null.</summary>
    public Event? LatestWarning(PersistentVolumeClaim pvc) => Latest(Events, pvc.Metadata.Uid, e => e.Type == "Warning");

    /// <summary>The latest Warning event with this reason about a Job (e.g. the job controller's FailedCreate), or null.</summary>
    public Event? LatestWarning(Job job, string reason) => Latest(JobEvents, job.Metadata.Uid, e => e.Reason == reason);

    private static Event? Latest(Informer<Event> events, string? involvedUid, Func<Event, bool> match) =>
        involvedUid is null
            ? null
            : events.ByIndex(ByInvolvedUid, involvedUid)
                .Where(match)
                .OrderByDescending(e => e.LastTimestamp ?? e.EventTime ?? e.Metadata.CreationTimestamp ?? DateTimeOffset.MinValue)
                .FirstOrDefault();

    private static IEnumerable<string> SourceKeys(Dm dm) =>
        SourceOf(dm) is { Length: > 0 } source ? [ObjectKey.Of(dm.Metadata.Namespace, source)] : [];
}
