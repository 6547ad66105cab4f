using System.Text.Json;
using System.Text.Json.Nodes;
using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Kube.Runtime;
using DataMover.Sandbox.ControlPlane;

namespace DataMover.Sandbox.Node;

/// <summary>
/// snapshot-controller and csi-snapshotter for the hostpath driver, kept simple: a VolumeSnapshot of a bound
/// claim provisioned by the hostpath driver gets a copy of the volume directory, a VolumeSnapshotContent and a
/// ready status (boundVolumeSnapshotContentName, readyToUse, restoreSize). Deleting the snapshot removes both.
/// On a cluster without the snapshot CRDs it stays idle until they are installed (see <see cref="SnapshotApiGate"/>).
/// </summary>
internal sealed partial class SnapshotController : IReconciler
{
    public const string DefaultClassName = "csi-hostpath-snapclass";

    private readonly KubeClient _client;
    private readonly NodeAgentOptions _options;
    private readonly Informer<VolumeSnapshot> _snapshots;
    private readonly Informer<PersistentVolumeClaim> _claims;
    private readonly Informer<PersistentVolume> _volumes;
    private readonly EventEmitter _events;
    private readonly ILogger _logger;

    public SnapshotController(KubeClient client, InformerSet informers, NodeAgentOptions options, ILoggerFactory loggers)
    {
        _client = client;
        _options = options;
        _logger = loggers.CreateLogger<SnapshotController>();
        // Not from the shared set: the agent's caches must sync without it when the CRDs are missing.
        _snapshots = new Informer<VolumeSnapshot>(client, KubeResources.VolumeSnapshots, null, loggers.CreateLogger("Informer." + KubeResources.VolumeSnapshots));
        _claims = informers.Get(KubeResources.PersistentVolumeClaims);
        _volumes = informers.Get(KubeResources.PersistentVolumes);
        _events = new EventEmitter(client, "snapshot-controller", null, _logger);
        Loop = new ControllerLoop("snapshotter", this, 1, _logger);
        _snapshots.AddHandler(new InformerHandler<VolumeSnapshot>(s => Loop.Enqueue(s.Key()), (_, s) => Loop.Enqueue(s.Key()), OnDeleted));
        _claims.AddHandler(InformerHandler<PersistentVolumeClaim>.Any(c =>
        {
            foreach (var s in _snapshots.List(c.Metadata.Namespace).Where(s => s.Spec?.Source?.PersistentVolumeClaimName == c.Metadata.Name))
            {
                Loop.Enqueue(s.Key());
            }
        }));
    }

    public static ResourceType<GenericObject> VolumeSnapshotClasses { get; } =
        new("snapshot.storage.k8s.io", "v1", "volumesnapshotclasses", "VolumeSnapshotClass", false, GenericJsonContext.Default.GenericObject, GenericJsonContext.Default.KubeListGenericObject);

    public static ResourceType<GenericObject> VolumeSnapshotContents { get; } =
        new("snapshot.storage.k8s.io", "v1", "volumesnapshotcontents", "VolumeSnapshotContent", false, GenericJsonContext.Default.GenericObject, GenericJsonContext.Default.KubeListGenericObject);

    public ControllerLoop Loop { get; }

    /// <summary>Waits for the snapshot API, makes the default VolumeSnapshotClass, then runs until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await new SnapshotApiGate(_client, _logger).WaitUntilServedAsync(cancellationToken);
            await EnsureClassAsync(cancellationToken);
            var informer = _snapshots.RunAsync(cancellationToken);
            await _snapshots.WaitForSyncAsync(cancellationToken);
            await Task.WhenAll(informer, Loop.RunAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task EnsureClassAsync(CancellationToken cancellationToken)
    {
        var snapshotClass = new GenericObject { Metadata = new ObjectMeta { Name = DefaultClassName, Annotations = new Dictionary<string, string> { ["snapshot.storage.kubernetes.io/is-default-class"] = "true" } } };
        snapshotClass.Extra = new Dictionary<string, JsonElement>
        {
            ["driver"] = JsonSerializer.SerializeToElement(SandboxDrivers.HostPath, NodeJsonContext.Default.String),
            ["deletionPolicy"] = JsonSerializer.SerializeToElement("Delete", NodeJsonContext.Default.String),
        };
        try
        {
            await NodeRegistrar.CreateIfMissingAsync(_client.Resource(VolumeSnapshotClasses), snapshotClass, cancellationToken);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            // Only the VolumeSnapshot CRD is installed: snapshots work, without a default class.
            LogNoClass(_logger, e.Message);
        }
    }

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var snapshot = _snapshots.Get(key);
        if (snapshot is null || snapshot.Metadata.DeletionTimestamp is not null || snapshot.Status?.ReadyToUse == true
            || snapshot.Spec?.Source?.PersistentVolumeClaimName is not { } claimName)
        {
            return ReconcileResult.Done;
        }

        var claim = _claims.Get(snapshot.Metadata.Namespace, claimName);
        var pv = claim?.Spec?.VolumeName is { Length: > 0 } vn ? _volumes.Get(vn) : null;
        if (claim?.Status?.Phase != "Bound" || pv?.Spec?.HostPath?.Path is not { } source)
        {
            // The real controller waits for the source claim to be bound.
            return ReconcileResult.Done;
        }

        if (pv.Metadata.Annotation(WellKnown.ProvisionedBy) != SandboxDrivers.HostPath)
        {
            // As the csi-snapshotter: the failure is both an event and the snapshot's status.error, which stays.
            var message = $"Failed to create snapshot: failed to get input parameters to create snapshot {snapshot.Metadata.Name}: \"driver {pv.Metadata.Annotation(WellKnown.ProvisionedBy)} does not support snapshots\"";
            _events.Warning(snapshot, "SnapshotCreationFailed", message);
            await ConflictRetry.UpdateAsync(_client.Resource(KubeResources.VolumeSnapshots), snapshot, s => s.Status?.Error?.Message == message ? null : s with
            {
                Status = (s.Status ?? new VolumeSnapshotStatus()) with { ReadyToUse = false, Error = new VolumeSnapshotError { Message = message, Time = DateTimeOffset.UtcNow } },
            }, WriteTarget.Status, _logger, cancellationToken);
            return ReconcileResult.Done;
        }

        var contentName = "snapcontent-" + snapshot.Metadata.Uid;
        var now = DateTimeOffset.UtcNow;
        var restoreSize = pv.Spec.Capacity is { } cap && cap.TryGetValue("storage", out var size) ? size : "0";
        _events.Normal(snapshot, "CreatingSnapshot", $"Waiting for a snapshot {key} to be created by the CSI driver.");
        var dir = Path.Combine(_options.DataDir, "snapshots", contentName);
        VolumeProvisioner.PopulateDirectory(dir, source);

        var content = new JsonObject
        {
            ["apiVersion"] = "snapshot.storage.k8s.io/v1",
            ["kind"] = "VolumeSnapshotContent",
            ["metadata"] = new JsonObject { ["name"] = contentName },
            ["spec"] = new JsonObject
            {
                ["deletionPolicy"] = "Delete",
                ["driver"] = SandboxDrivers.HostPath,
                ["source"] = new JsonObject { ["volumeHandle"] = pv.Metadata.Name },
                ["sourceVolumeMode"] = pv.Spec.VolumeMode ?? "Filesystem",
                ["volumeSnapshotClassName"] = snapshot.Spec.VolumeSnapshotClassName ?? DefaultClassName,
                ["volumeSnapshotRef"] = new JsonObject
                {
                    ["apiVersion"] = "snapshot.storage.k8s.io/v1",
                    ["kind"] = "VolumeSnapshot",
                    ["name"] = snapshot.Metadata.Name,
                    ["namespace"] = snapshot.Metadata.Namespace,
                    ["uid"] = snapshot.Metadata.Uid,
                },
            },
        };
        var contentStatus = new JsonObject
        {
            ["creationTime"] = (now - DateTimeOffset.UnixEpoch).Ticks * 100,
            ["readyToUse"] = true,
            ["restoreSize"] = VolumeProvisioner.Bytes(restoreSize),
            ["snapshotHandle"] = contentName,
        };
        var contents = _client.Resource(VolumeSnapshotContents);
        var status = JsonDocument.Parse(contentStatus.ToJsonString()).RootElement.Clone();
        try
        {
            var created = await contents.CreateAsync(content.Deserialize(GenericJsonContext.Default.GenericObject)!, cancellationToken);
            await ConflictRetry.UpdateAsync(contents, created, c =>
            {
                var withStatus = c with { };
                withStatus.Extra = new Dictionary<string, JsonElement>(c.Extra ?? []) { ["status"] = status };
                return withStatus;
            }, WriteTarget.Status, _logger, cancellationToken);
        }
        catch (KubeApiException e) when (e.IsAlreadyExists)
        {
            // Made by an earlier attempt.
        }

        var written = await ConflictRetry.UpdateAsync(_client.Resource(KubeResources.VolumeSnapshots), snapshot, s => s.Status?.ReadyToUse == true ? null : s with
        {
            Status = (s.Status ?? new VolumeSnapshotStatus()) with
            {
                BoundVolumeSnapshotContentName = contentName,
                CreationTime = now,
                ReadyToUse = true,
                RestoreSize = restoreSize,
            },
        }, WriteTarget.Status, _logger, cancellationToken);
        if (written is null)
        {
            return ReconcileResult.Done;
        }

        _events.Normal(snapshot, "SnapshotCreated", $"Snapshot {key} was successfully created by the CSI driver.");
        _events.Normal(snapshot, "SnapshotReady", $"Snapshot {key} is ready to use.");
        return ReconcileResult.Done;
    }

    private void OnDeleted(VolumeSnapshot snapshot)
    {
        if (snapshot.Status?.BoundVolumeSnapshotContentName is not { } contentName)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                var dir = Path.Combine(_options.DataDir, "snapshots", contentName);
                if (Directory.Exists(dir))
                {
                    Directory.Delete(dir, recursive: true);
                }

                await _client.Resource(VolumeSnapshotContents).DeleteAsync(null, contentName);
            }
            catch (Exception e) when (e is KubeApiException or IOException or HttpRequestException)
            {
                LogCleanupFailed(_logger, contentName, e.Message);
            }
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No default VolumeSnapshotClass: {Error}")]
    private static partial void LogNoClass(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove snapshot content {Content}: {Error}")]
    private static partial void LogCleanupFailed(ILogger logger, string content, string error);
}
