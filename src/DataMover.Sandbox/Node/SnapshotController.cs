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
/// ready status (boundVolumeSnapshotContentName, readyToUse, restoreSize), with the external-snapshotter's finalizers
/// on the snapshot, its content (<see cref="SnapshotContentController"/>) and its source (<see cref="SourceClaimProtection"/>).
/// On a cluster without the snapshot CRDs it stays idle until they are installed (see <see cref="SnapshotApiGate"/>).
/// </summary>
internal sealed partial class SnapshotController : IReconciler
{
    public const string DefaultClassName = "csi-hostpath-snapclass";
    public const string BoundProtection = SnapshotFinalizers.SnapshotBound;
    public const string AsSourceProtection = SnapshotFinalizers.SnapshotAsSource;

    /// <summary>
    /// Class parameter of the hostpath driver: how long a cut snapshot stays readyToUse false, as a cloud driver's
    /// upload phase (a Go duration such as "30s"); absent, a snapshot is ready as soon as it is cut.
    /// </summary>
    public const string ReadyAfterParameter = "readyAfter";

    /// <summary>Work-queue keys of source claims whose finalizer is re-checked after a snapshot of them went away.</summary>
    private const string ClaimKeyPrefix = "claim:";

    private readonly KubeClient _client;
    private readonly NodeAgentOptions _options;
    private readonly Informer<VolumeSnapshot> _snapshots;
    private readonly Informer<PersistentVolumeClaim> _claims;
    private readonly Informer<PersistentVolume> _volumes;
    private readonly SnapshotContentController _contents;
    private readonly SourceClaimProtection _sources;
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
        _contents = new SnapshotContentController(client, options, loggers);
        _sources = new SourceClaimProtection(client, _snapshots, _claims, _logger);
        _events = new EventEmitter(client, "snapshot-controller", null, _logger);
        Loop = new ControllerLoop("snapshotter", this, 1, _logger);
        _snapshots.AddHandler(new InformerHandler<VolumeSnapshot>(
            s => Loop.Enqueue(s.Key()),
            (_, s) => Loop.Enqueue(s.Key()),
            s =>
            {
                // As the common controller's deleteSnapshot: the claim may be released now that this snapshot is gone.
                if (s.Spec?.Source?.PersistentVolumeClaimName is { } claim)
                {
                    Loop.Enqueue(ClaimKeyPrefix + s.Metadata.Namespace + "/" + claim);
                }
            }));
        _contents.Contents.AddHandler(InformerHandler<GenericObject>.Any(c =>
        {
            if (SnapshotContentView.Of(c).SnapshotKey is { } snapshotKey)
            {
                Loop.Enqueue(snapshotKey);
            }
        }));
        _claims.AddHandler(InformerHandler<PersistentVolumeClaim>.Any(c =>
        {
            foreach (var s in _snapshots.List(c.Metadata.Namespace).Where(s => s.Spec?.Source?.PersistentVolumeClaimName == c.Metadata.Name))
            {
                Loop.Enqueue(s.Key());
            }

            // A claim restored from a snapshot holds a deleted snapshot while it is pending: its binding (or its
            // deletion) is what lets the snapshot go, so every change of it wakes the snapshot.
            if (c.Spec?.DataSource is { Kind: "VolumeSnapshot", Name: { } snapshotName })
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
            var contents = _contents.Contents.RunAsync(cancellationToken);
            await _snapshots.WaitForSyncAsync(cancellationToken);
            await _contents.Contents.WaitForSyncAsync(cancellationToken);
            await Task.WhenAll(informer, contents, Loop.RunAsync(cancellationToken), _contents.Loop.RunAsync(cancellationToken));
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
        if (key.StartsWith(ClaimKeyPrefix, StringComparison.Ordinal))
        {
            var (sourceNs, sourceClaim) = ObjectKey.Split(key[ClaimKeyPrefix.Length..]);
            await _sources.ReleaseIfUnusedAsync(sourceNs ?? "", sourceClaim, cancellationToken);
            return ReconcileResult.Done;
        }

        var snapshot = _snapshots.Get(key);
        if (snapshot is null)
        {
            return ReconcileResult.Done;
        }

        // syncSnapshot starts with checkandRemovePVCFinalizer, whatever else the snapshot needs.
        if (snapshot.Spec?.Source?.PersistentVolumeClaimName is { } sourceName)
        {
            await _sources.ReleaseIfUnusedAsync(snapshot.Metadata.Namespace!, sourceName, cancellationToken);
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

        if (snapshot.Status?.BoundVolumeSnapshotContentName is { } boundName)
        {
            return await CompleteUploadAsync(snapshot, boundName, cancellationToken);
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
            await FailAsync(snapshot, null, choice.FailureReason!, choice.FailureMessage!, cancellationToken);
            return ReconcileResult.Done;
        }

        // createSnapshotContent: the source claim is protected before the content exists (ensurePVCFinalizer).
        if (claim.Metadata.DeletionTimestamp is not null)
        {
            await FailAsync(snapshot, null, "SnapshotContentCreationFailed", $"Failed to create snapshot content with error snapshot controller failed to update {claimName} on API server: cannot add finalizer on claim because it is being deleted", cancellationToken);
            return ReconcileResult.Done;
        }

        await _sources.AddAsync(claim, cancellationToken);
        var contentName = "snapcontent-" + snapshot.Metadata.Uid;
        var now = DateTimeOffset.UtcNow;
        var restoreSize = pv.Spec.Capacity is { } cap && cap.TryGetValue("storage", out var size) ? size : "0";
        var content = new JsonObject
        {
            ["apiVersion"] = "snapshot.storage.k8s.io/v1",
            ["kind"] = "VolumeSnapshotContent",
            ["metadata"] = new JsonObject { ["name"] = contentName },
            ["spec"] = new JsonObject
            {
                ["deletionPolicy"] = choice.DeletionPolicy,
                ["driver"] = driver,
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
        if (!SandboxDrivers.SupportsSnapshot(driver))
        {
            // As the csi-snapshotter: the driver's refusal is the content's error, then the snapshot's, which stays.
            var refusal = $"Failed to create snapshot: failed to get input parameters to create snapshot {snapshot.Metadata.Name}: \"driver {driver} does not support snapshots\"";
            await CreateContentAsync(content, new JsonObject { ["readyToUse"] = false, ["error"] = new JsonObject { ["message"] = refusal, ["time"] = now.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture) } }, cancellationToken);
            await FailAsync(snapshot, contentName, "SnapshotCreationFailed", refusal, cancellationToken);
            return ReconcileResult.Done;
        }

        var readyAfter = await ReadyAfterAsync(choice.Name, cancellationToken);
        var ready = readyAfter <= TimeSpan.Zero;
        _events.Normal(snapshot, "CreatingSnapshot", $"Waiting for a snapshot {key} to be created by the CSI driver.");
        VolumeProvisioner.PopulateDirectory(SnapshotContentController.DataDirectory(_options, contentName), source);
        await CreateContentAsync(content, new JsonObject
        {
            ["creationTime"] = (now - DateTimeOffset.UnixEpoch).Ticks * 100,
            ["readyToUse"] = ready,
            ["restoreSize"] = VolumeProvisioner.Bytes(restoreSize),
            ["snapshotHandle"] = contentName,
        }, cancellationToken);

        var written = await ConflictRetry.UpdateAsync(_client.Resource(KubeResources.VolumeSnapshots), snapshot, s => s.Status?.BoundVolumeSnapshotContentName is not null ? null : s with
        {
            Status = (s.Status ?? new VolumeSnapshotStatus()) with
            {
                BoundVolumeSnapshotContentName = contentName,
                CreationTime = now,
                ReadyToUse = ready,
                RestoreSize = restoreSize,
            },
        }, WriteTarget.Status, _logger, cancellationToken);
        if (written is null)
        {
            return ReconcileResult.Done;
        }

        _events.Normal(snapshot, "SnapshotCreated", $"Snapshot {key} was successfully created by the CSI driver.");
        if (!ready)
        {
            return ReconcileResult.After(readyAfter);
        }

        _events.Normal(snapshot, "SnapshotReady", $"Snapshot {key} is ready to use.");
        return ReconcileResult.Done;
    }

    private async Task CreateContentAsync(JsonObject content, JsonObject contentStatus, CancellationToken cancellationToken)
    {
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
    }

    /// <summary>The upload phase of a cut snapshot: it turns readyToUse (content, then snapshot) once readyAfter has passed.</summary>
    private async Task<ReconcileResult> CompleteUploadAsync(VolumeSnapshot snapshot, string contentName, CancellationToken cancellationToken)
    {
        if (_contents.BoundTo(snapshot) is not { } content)
        {
            return ReconcileResult.Done;
        }

        var view = SnapshotContentView.Of(content);
        var cut = view.CreationTime is { } ns ? DateTimeOffset.UnixEpoch.AddTicks(ns / 100) : DateTimeOffset.UtcNow;
        var left = cut + await ReadyAfterAsync(content.Extra?.TryGetValue("spec", out var spec) == true && spec.TryGetProperty("volumeSnapshotClassName", out var c) ? c.GetString() : null, cancellationToken) - DateTimeOffset.UtcNow;
        if (left > TimeSpan.Zero)
        {
            return ReconcileResult.After(left);
        }

        if (!view.Ready)
        {
            await ConflictRetry.UpdateAsync(_client.Resource(VolumeSnapshotContents), content, x =>
            {
                var status = JsonNode.Parse(x.Extra!["status"].GetRawText())!.AsObject();
                status["readyToUse"] = true;
                var withStatus = x with { };
                withStatus.Extra = new Dictionary<string, JsonElement>(x.Extra) { ["status"] = JsonDocument.Parse(status.ToJsonString()).RootElement.Clone() };
                return withStatus;
            }, WriteTarget.Status, _logger, cancellationToken);
        }

        var written = await ConflictRetry.UpdateAsync(_client.Resource(KubeResources.VolumeSnapshots), snapshot, s => s.Status?.ReadyToUse == true ? null : s with
        {
            Status = (s.Status ?? new VolumeSnapshotStatus()) with { ReadyToUse = true },
        }, WriteTarget.Status, _logger, cancellationToken);
        if (written is not null)
        {
            _events.Normal(snapshot, "SnapshotReady", $"Snapshot {snapshot.Key()} is ready to use.");
        }

        return ReconcileResult.Done;
    }

    /// <summary>The class's <see cref="ReadyAfterParameter"/>; zero when it is absent, the class gone, or unreadable.</summary>
    private async Task<TimeSpan> ReadyAfterAsync(string? className, CancellationToken cancellationToken)
    {
        if (className is null || await _client.Resource(VolumeSnapshotClasses).TryGetAsync(null, className, cancellationToken) is not { } snapshotClass)
        {
            return TimeSpan.Zero;
        }

        return snapshotClass.Extra?.TryGetValue("parameters", out var parameters) == true && parameters.ValueKind == JsonValueKind.Object
            && parameters.TryGetProperty(ReadyAfterParameter, out var value) && value.ValueKind == JsonValueKind.String
            && GoDuration.TryParse(value.GetString()!, out var duration)
            ? duration
            : TimeSpan.Zero;
    }

    private static string? RestoredFrom(PersistentVolumeClaim claim) =>
        claim.Spec?.DataSource is { Kind: "VolumeSnapshot" } source && claim.Status?.Phase is null or "Pending" ? source.Name : null;

    private bool BeingRestored(VolumeSnapshot snapshot) =>
        _claims.List(snapshot.Metadata.Namespace).Any(c => RestoredFrom(c) == snapshot.Metadata.Name);

    /// <summary>
    /// checkandAddSnapshotFinalizers: as-source protection on every live snapshot; bound-protection once it is bound to
    /// a content whose deletionPolicy is Delete (a retained content does not need the snapshot to wait for it).
    /// </summary>
    private Task ProtectAsync(VolumeSnapshot snapshot, CancellationToken cancellationToken)
    {
        var wanted = new List<string> { AsSourceProtection };
        if (snapshot.Status?.BoundVolumeSnapshotContentName is not null && _contents.BoundTo(snapshot) is { } content
            && SnapshotContentView.Of(content).DeletionPolicy == "Delete")
        {
            wanted.Add(BoundProtection);
        }

        return SetFinalizersAsync(snapshot, wanted, cancellationToken);
    }

    /// <summary>
    /// processSnapshotWithDeletionTimestamp: wait while a claim is still provisioned from the snapshot; mark the bound
    /// content volumesnapshot-being-deleted (whatever its policy); with Delete delete the content and keep
    /// bound-protection until the content is gone (its own finalizer holds it until the data is removed); then the
    /// snapshot's finalizers go.
    /// </summary>
    private async Task FinalizeAsync(VolumeSnapshot snapshot, CancellationToken cancellationToken)
    {
        if (BeingRestored(snapshot))
        {
            _events.Warning(snapshot, "SnapshotDeletePending", "Snapshot is being used to restore a PVC");
            return;
        }

        var content = _contents.BoundTo(snapshot);
        var deleteContent = content is not null && SnapshotContentView.Of(content).DeletionPolicy == "Delete";
        if (content is not null)
        {
            var contents = _client.Resource(VolumeSnapshotContents);
            await ConflictRetry.UpdateAsync(contents, content, c => c.Metadata.Annotation(SnapshotFinalizers.BeingDeletedAnnotation) is not null ? null : c with
            {
                Metadata = c.Metadata with { Annotations = new Dictionary<string, string>(c.Metadata.Annotations ?? new Dictionary<string, string>()) { [SnapshotFinalizers.BeingDeletedAnnotation] = "yes" } },
            }, WriteTarget.Object, _logger, cancellationToken);
            if (deleteContent && content.Metadata.DeletionTimestamp is null)
            {
                try
                {
                    await contents.DeleteAsync(null, content.Metadata.Name!, cancellationToken: cancellationToken);
                }
                catch (KubeApiException e) when (e.IsNotFound)
                {
                    // Already gone.
                }
                catch (KubeApiException e)
                {
                    _events.Warning(snapshot, "SnapshotContentObjectDeleteError", "Failed to delete snapshot content API object");
                    LogCleanupFailed(_logger, content.Metadata.Name!, e.Message);
                    throw;
                }
            }
        }

        await SetFinalizersAsync(snapshot, deleteContent ? [BoundProtection] : [], cancellationToken);
    }

    private async Task SetFinalizersAsync(VolumeSnapshot snapshot, IReadOnlyList<string> wanted, CancellationToken cancellationToken) =>
        await ConflictRetry.UpdateAsync(_client.Resource(KubeResources.VolumeSnapshots), snapshot, s =>
        {
            var current = s.Metadata.Finalizers ?? [];
            // Never adds bound-protection back once it is gone from a deleted snapshot: the API server refuses new
            // finalizers on an object being deleted anyway.
            var keep = wanted.Where(f => s.Metadata.DeletionTimestamp is null || current.Contains(f));
            var next = current.Where(f => f is not BoundProtection and not AsSourceProtection).Concat(keep).ToList();
            return next.SequenceEqual(current) ? null : s with { Metadata = s.Metadata with { Finalizers = next } };
        }, WriteTarget.Object, _logger, cancellationToken);

    /// <summary>The snapshot's status.error and a Warning event; bound to its content when one was made.</summary>
    private async Task FailAsync(VolumeSnapshot snapshot, string? contentName, string reason, string message, CancellationToken cancellationToken)
    {
        _events.Warning(snapshot, reason, message);
        await ConflictRetry.UpdateAsync(_client.Resource(KubeResources.VolumeSnapshots), snapshot, s => s.Status?.Error?.Message == message ? null : s with
        {
            Status = (s.Status ?? new VolumeSnapshotStatus()) with
            {
                BoundVolumeSnapshotContentName = contentName ?? s.Status?.BoundVolumeSnapshotContentName,
                ReadyToUse = false,
                Error = new VolumeSnapshotError { Message = message, Time = DateTimeOffset.UtcNow },
            },
        }, WriteTarget.Status, _logger, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No default VolumeSnapshotClass: {Error}")]
    private static partial void LogNoClass(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove snapshot content {Content}: {Error}")]
    private static partial void LogCleanupFailed(ILogger logger, string content, string error);
}
