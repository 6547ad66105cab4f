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
    public const string BoundProtection = "snapshot.storage.kubernetes.io/volumesnapshot-bound-protection";
    public const string AsSourceProtection = "snapshot.storage.kubernetes.io/volumesnapshot-as-source-protection";

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
        _snapshots.AddHandler(InformerHandler<VolumeSnapshot>.Any(s => Loop.Enqueue(s.Key())));
        _claims.AddHandler(InformerHandler<PersistentVolumeClaim>.Any(c =>
        {
            foreach (var s in _snapshots.List(c.Metadata.Namespace).Where(s => s.Spec?.Source?.PersistentVolumeClaimName == c.Metadata.Name))
            {
                Loop.Enqueue(s.Key());
            }

            // A claim restored from a snapshot holds the snapshot's as-source protection while it is pending.
            if (RestoredFrom(c) is { } snapshotName)
            {
                Loop.Enqueue(c.Metadata.Namespace + "/" + snapshotName);
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
        if (snapshot is null)
        {
            return ReconcileResult.Done;
        }

        if (snapshot.Metadata.DeletionTimestamp is not null)
        {
            await FinalizeAsync(snapshot, cancellationToken);
            return ReconcileResult.Done;
        }

        await ProtectAsync(snapshot, cancellationToken);
        if (snapshot.Status?.ReadyToUse == true || snapshot.Status?.Error is not null
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

        // As the snapshot-controller: the class is checked before any content is made, against the source's driver.
        var driver = pv.Metadata.Annotation(WellKnown.ProvisionedBy) ?? "";
        var choice = await SnapshotClassChoice.ChooseAsync(_client, snapshot.Spec.VolumeSnapshotClassName, driver, cancellationToken);
        if (choice.Failed)
        {
            await FailAsync(snapshot, choice.FailureReason!, choice.FailureMessage!, cancellationToken);
            return ReconcileResult.Done;
        }

        if (driver != SandboxDrivers.HostPath)
        {
            // As the csi-snapshotter: the failure is both an event and the snapshot's status.error, which stays.
            await FailAsync(snapshot, "SnapshotCreationFailed", $"Failed to create snapshot: failed to get input parameters to create snapshot {snapshot.Metadata.Name}: \"driver {driver} does not support snapshots\"", cancellationToken);
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
                ["deletionPolicy"] = choice.DeletionPolicy,
                ["driver"] = SandboxDrivers.HostPath,
                ["source"] = new JsonObject { ["volumeHandle"] = pv.Metadata.Name },
                ["sourceVolumeMode"] = pv.Spec.VolumeMode ?? "Filesystem",
                ["volumeSnapshotClassName"] = choice.Name,
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

    private static string? RestoredFrom(PersistentVolumeClaim claim) =>
        claim.Spec?.DataSource is { Kind: "VolumeSnapshot" } source && claim.Status?.Phase is null or "Pending" ? source.Name : null;

    private bool BeingRestored(VolumeSnapshot snapshot) =>
        _claims.List(snapshot.Metadata.Namespace).Any(c => RestoredFrom(c) == snapshot.Metadata.Name);

    /// <summary>
    /// The snapshot-controller's finalizers: bound-protection once a content is bound, as-source protection while a
    /// claim is being provisioned from the snapshot (the snapshot cannot go away under the restore).
    /// </summary>
    private Task ProtectAsync(VolumeSnapshot snapshot, CancellationToken cancellationToken)
    {
        var wanted = new List<string>();
        if (snapshot.Status?.BoundVolumeSnapshotContentName is not null)
        {
            wanted.Add(BoundProtection);
        }

        if (BeingRestored(snapshot))
        {
            wanted.Add(AsSourceProtection);
        }

        return SetFinalizersAsync(snapshot, wanted, cancellationToken);
    }

    /// <summary>
    /// As the snapshot-controller on delete: wait while a claim is still provisioned from the snapshot, then handle
    /// the content by its deletionPolicy (Delete removes it and the data, Retain keeps it), then let the snapshot go.
    /// </summary>
    private async Task FinalizeAsync(VolumeSnapshot snapshot, CancellationToken cancellationToken)
    {
        if (BeingRestored(snapshot))
        {
            return;
        }

        if (snapshot.Status?.BoundVolumeSnapshotContentName is { } contentName && snapshot.Metadata.Finalizers?.Contains(BoundProtection) == true)
        {
            var contents = _client.Resource(VolumeSnapshotContents);
            var content = await contents.TryGetAsync(null, contentName, cancellationToken);
            var policy = content?.Extra?.TryGetValue("spec", out var spec) == true && spec.TryGetProperty("deletionPolicy", out var p) ? p.GetString() : "Delete";
            if (content is not null && policy == "Delete")
            {
                try
                {
                    var dir = Path.Combine(_options.DataDir, "snapshots", contentName);
                    if (Directory.Exists(dir))
                    {
                        Directory.Delete(dir, recursive: true);
                    }

                    await contents.DeleteAsync(null, contentName, cancellationToken: cancellationToken);
                }
                catch (KubeApiException e) when (e.IsNotFound)
                {
                    // Already gone.
                }
                catch (Exception e) when (e is KubeApiException or IOException)
                {
                    // Keeps the finalizers: the loop retries the delete.
                    LogCleanupFailed(_logger, contentName, e.Message);
                    throw;
                }
            }
        }

        await SetFinalizersAsync(snapshot, [], cancellationToken);
    }

    private async Task SetFinalizersAsync(VolumeSnapshot snapshot, IReadOnlyList<string> wanted, CancellationToken cancellationToken) =>
        await ConflictRetry.UpdateAsync(_client.Resource(KubeResources.VolumeSnapshots), snapshot, s =>
        {
            var others = (s.Metadata.Finalizers ?? []).Where(f => f is not BoundProtection and not AsSourceProtection);
            var next = others.Concat(wanted).ToList();
            return next.SequenceEqual(s.Metadata.Finalizers ?? []) ? null : s with { Metadata = s.Metadata with { Finalizers = next } };
        }, WriteTarget.Object, _logger, cancellationToken);

    private async Task FailAsync(VolumeSnapshot snapshot, string reason, string message, CancellationToken cancellationToken)
    {
        _events.Warning(snapshot, reason, message);
        await ConflictRetry.UpdateAsync(_client.Resource(KubeResources.VolumeSnapshots), snapshot, s => s.Status?.Error?.Message == message ? null : s with
        {
            Status = (s.Status ?? new VolumeSnapshotStatus()) with { ReadyToUse = false, Error = new VolumeSnapshotError { Message = message, Time = DateTimeOffset.UtcNow } },
        }, WriteTarget.Status, _logger, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No default VolumeSnapshotClass: {Error}")]
    private static partial void LogNoClass(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove snapshot content {Content}: {Error}")]
    private static partial void LogCleanupFailed(ILogger logger, string content, string error);
}
