using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Kube.Runtime;
using DataMover.Sandbox.ControlPlane;

namespace DataMover.Sandbox.Node;

/// <summary>
/// VolumeSnapshotContents as the external-snapshotter handles them: the common controller's syncContent puts
/// <c>volumesnapshotcontent-bound-protection</c> on a bound content; the csi-snapshotter sidecar's syncContent acts
/// on a deleted content only once the common controller marked it <c>volumesnapshot-being-deleted</c> (its snapshot
/// is being deleted): with deletionPolicy Delete it removes the snapshot data first, then drops the finalizer. A
/// content whose snapshot is gone is left alone (deleting it would lose data the user may still want), and a content
/// deleted while its snapshot is not being deleted stays Terminating, as on a real cluster.
/// </summary>
internal sealed partial class SnapshotContentController : IReconciler
{
    private readonly ResourceClient<GenericObject> _api;
    private readonly NodeAgentOptions _options;
    private readonly ILogger _logger;

    public SnapshotContentController(KubeClient client, NodeAgentOptions options, ILoggerFactory loggers)
    {
        _api = client.Resource(SnapshotController.VolumeSnapshotContents);
        _options = options;
        _logger = loggers.CreateLogger<SnapshotContentController>();
        Contents = new Informer<GenericObject>(client, SnapshotController.VolumeSnapshotContents, null, loggers.CreateLogger("Informer." + SnapshotController.VolumeSnapshotContents));
        Loop = new ControllerLoop("snapshot-contents", this, 1, _logger);
        Contents.AddHandler(InformerHandler<GenericObject>.Any(c => Loop.Enqueue(c.Key())));
    }

    public Informer<GenericObject> Contents { get; }

    public ControllerLoop Loop { get; }

    /// <summary>Where the hostpath driver keeps the data of a snapshot (its snapshotHandle is the content's name).</summary>
    public static string DataDirectory(NodeAgentOptions options, string contentName) => Path.Combine(options.DataDir, "snapshots", contentName);

    /// <summary>The content bound to <paramref name="snapshot"/> (its volumeSnapshotRef names it and its uid), if cached.</summary>
    public GenericObject? BoundTo(VolumeSnapshot snapshot)
    {
        var name = snapshot.Status?.BoundVolumeSnapshotContentName ?? "snapcontent-" + snapshot.Metadata.Uid;
        return Contents.Get(null, name) is { } content && SnapshotContentView.Of(content).SnapshotUid == snapshot.Metadata.Uid ? content : null;
    }

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        if (Contents.Get(key) is not { } content)
        {
            return ReconcileResult.Done;
        }

        var view = SnapshotContentView.Of(content);
        var finalizers = content.Metadata.Finalizers ?? [];
        if (content.Metadata.DeletionTimestamp is null)
        {
            if (view.SnapshotUid is { Length: > 0 } && !finalizers.Contains(SnapshotFinalizers.ContentBound))
            {
                await EditFinalizersAsync(content, f => f.Contains(SnapshotFinalizers.ContentBound) ? null : [.. f, SnapshotFinalizers.ContentBound], cancellationToken);
            }

            return ReconcileResult.Done;
        }

        if (content.Metadata.Annotation(SnapshotFinalizers.BeingDeletedAnnotation) is null || !finalizers.Contains(SnapshotFinalizers.ContentBound))
        {
            return ReconcileResult.Done;
        }

        if (view.DeletionPolicy == "Delete")
        {
            // The driver's DeleteSnapshot: the data goes before the finalizer, so a failure leaves the content to retry.
            var dir = DataDirectory(_options, view.Name);
            try
            {
                if (Directory.Exists(dir))
                {
                    Directory.Delete(dir, recursive: true);
                }
            }
            catch (IOException e)
            {
                LogDeleteFailed(_logger, view.Name, e.Message);
                throw;
            }
        }

        await EditFinalizersAsync(content, f => f.Contains(SnapshotFinalizers.ContentBound) ? [.. f.Where(x => x != SnapshotFinalizers.ContentBound)] : null, cancellationToken);
        return ReconcileResult.Done;
    }

    private Task<GenericObject?> EditFinalizersAsync(GenericObject content, Func<IReadOnlyList<string>, List<string>?> edit, CancellationToken cancellationToken) =>
        ConflictRetry.UpdateAsync(_api, content, c => edit(c.Metadata.Finalizers ?? []) is { } next ? c with { Metadata = c.Metadata with { Finalizers = next } } : null,
            WriteTarget.Object, _logger, cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete the data of snapshot content {Content}: {Error}")]
    private static partial void LogDeleteFailed(ILogger logger, string content, string error);
}
