using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Kube.Runtime;
using DataMover.Operator.Api;

namespace DataMover.Operator.Restore;

/// <summary>
/// The informers only restores need: the restores themselves, and every pod in scope, to see which pods mount a
/// target PVC (application pods carry no label of ours). The DataMover, PVC, Job and mover pod informers are shared.
/// </summary>
internal sealed class RestoreCaches
{
    /// <summary>Restores by "namespace/dataMover" of source.fromDataMover.</summary>
    public const string BySourceDataMover = "source-datamover";

    /// <summary>Restores by "namespace/pvc" of their target.</summary>
    public const string ByTargetPvc = "target-pvc";

    /// <summary>Pods by "namespace/claim" of each PVC they mount.</summary>
    public const string ByClaim = "claim";

    public RestoreCaches(KubeClient client, string? ns, ILoggerFactory loggers, TimeProvider time)
    {
        Restores = new Informer<DataMoverRestore>(client, DataMoverResources.Restores, new InformerOptions { Namespace = ns }, loggers.CreateLogger("Informer.DataMoverRestore"), time);
        Restores.AddIndex(BySourceDataMover, r => SourceDataMover(r) is { Length: > 0 } dm ? [ObjectKey.Of(r.Metadata.Namespace, dm)] : []);
        Restores.AddIndex(ByTargetPvc, r => TargetPvc(r) is { Length: > 0 } pvc ? [ObjectKey.Of(r.Metadata.Namespace, pvc)] : []);

        AllPods = new Informer<Pod>(client, KubeResources.Pods, new InformerOptions { Namespace = ns }, loggers.CreateLogger("Informer.AllPods"), time);
        // Every pod in scope, most of them not ours: keep only what says which PVCs it mounts and whether it runs.
        AllPods.SetTransform(InformerTransforms.PodForCache);
        AllPods.AddIndex(ByClaim, p => Claims(p).Select(c => ObjectKey.Of(p.Metadata.Namespace, c)));
    }

    public Informer<DataMoverRestore> Restores { get; }

    public Informer<Pod> AllPods { get; }

    public IReadOnlyList<IInformer> All => [Restores, AllPods];

    public IEnumerable<Task> Run(CancellationToken cancellationToken) => [Restores.RunAsync(cancellationToken), AllPods.RunAsync(cancellationToken)];

    public Task WaitForSyncAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(Restores.WaitForSyncAsync(cancellationToken), AllPods.WaitForSyncAsync(cancellationToken));

    /// <summary>The PVCs <paramref name="pod"/> mounts.</summary>
    public static IEnumerable<string> Claims(Pod pod) =>
        pod.Spec?.Volumes?.Select(v => v.PersistentVolumeClaim?.ClaimName).OfType<string>().Distinct(StringComparer.Ordinal) ?? [];

    /// <summary>The DataMover the restore reads from (recorded, else the spec's).</summary>
    public static string? SourceDataMover(DataMoverRestore restore) =>
        (restore.Status?.AcceptedSpec ?? restore.Spec)?.Source?.FromDataMover;

    /// <summary>The target PVC (recorded, else the one the spec names or defaults to).</summary>
    public static string? TargetPvc(DataMoverRestore restore) =>
        restore.Status?.TargetPvc ?? (restore.Spec?.Target is { } target ? target.PvcName ?? target.Pvc?.Name ?? (target.Pvc is null ? null : restore.Metadata.Name) : null);
}
