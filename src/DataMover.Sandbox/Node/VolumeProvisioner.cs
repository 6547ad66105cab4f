using System.Collections.Concurrent;
using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Kube.Runtime;
using DataMover.Sandbox.ControlPlane;

namespace DataMover.Sandbox.Node;

/// <summary>
/// external-provisioner plus CSI driver for the sandbox drivers: provisions claims whose storage-provisioner
/// annotation names one of them (after the selected-node annotation for WaitForFirstConsumer), as directories
/// under the data dir exposed through <c>spec.hostPath</c>; clones from a PVC or restores from a VolumeSnapshot
/// with the real provisioner's checks and error texts; deletes volumes of Released PVs with reclaim policy Delete.
/// </summary>
internal sealed partial class VolumeProvisioner : IReconciler
{
    private const string PvPrefix = "pv:";
    private const string CloneSourceIndex = "clone-source";
    private readonly KubeClient _client;
    private readonly NodeAgentOptions _options;
    private readonly Informer<PersistentVolumeClaim> _claims;
    private readonly Informer<PersistentVolume> _volumes;
    private readonly Informer<StorageClass> _classes;
    private readonly ResourceClient<PersistentVolume> _volumeClient;
    private readonly Dictionary<string, EventEmitter> _events = [];
    private readonly ConcurrentDictionary<string, DateTimeOffset> _firstSeen = new();
    private readonly ConcurrentDictionary<string, int> _failures = new();
    private readonly ConcurrentDictionary<string, string> _lastError = new();
    private readonly ILogger _logger;

    public VolumeProvisioner(KubeClient client, InformerSet informers, NodeAgentOptions options, ILoggerFactory loggers)
    {
        _client = client;
        _options = options;
        _logger = loggers.CreateLogger<VolumeProvisioner>();
        _claims = informers.Get(KubeResources.PersistentVolumeClaims);
        _volumes = informers.Get(KubeResources.PersistentVolumes);
        _classes = informers.Get(KubeResources.StorageClasses);
        _volumeClient = client.Resource(KubeResources.PersistentVolumes);
        foreach (var driver in SandboxDrivers.All)
        {
            // The external-provisioner's event source is "<driver>_<identity>".
            _events[driver] = new EventEmitter(client, $"{driver}_{options.NodeName}", null, _logger);
        }

        Loop = new ControllerLoop("provisioner", this, 2, _logger);
        _claims.AddIndex(CloneSourceIndex, c => CloneSource(c) is { } source ? [ObjectKey.Of(c.Metadata.Namespace, source)] : []);
        _claims.AddHandler(InformerHandler<PersistentVolumeClaim>.Any(c =>
        {
            Loop.Enqueue(c.Key());
            // A clone waits on its source claim: look again at the pending clones of this one. (A restore from a
            // snapshot waits on the snapshot and is retried with backoff, as the external-provisioner does.)
            foreach (var clone in _claims.ByIndex(CloneSourceIndex, c.Key()).Where(o => o.Spec?.VolumeName is null or ""))
            {
                Loop.Enqueue(clone.Key());
            }
        }));
        _volumes.AddHandler(InformerHandler<PersistentVolume>.Any(v => Loop.Enqueue(PvPrefix + v.Metadata.Name)));
    }

    public ControllerLoop Loop { get; }

    public string VolumesDir => Path.Combine(_options.DataDir, "volumes");

    public Task<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken) =>
        key.StartsWith(PvPrefix, StringComparison.Ordinal)
            ? ReconcileVolumeAsync(key[PvPrefix.Length..], cancellationToken)
            : ReconcileClaimAsync(key, cancellationToken);

    private async Task<ReconcileResult> ReconcileClaimAsync(string key, CancellationToken cancellationToken)
    {
        var claim = _claims.Get(key);
        if (claim is null || claim.Metadata.DeletionTimestamp is not null || !string.IsNullOrEmpty(claim.Spec?.VolumeName))
        {
            Forget(key);
            return ReconcileResult.Done;
        }

        var driver = claim.Metadata.Annotation(WellKnown.StorageProvisioner) ?? claim.Metadata.Annotation(WellKnown.BetaStorageProvisioner);
        if (driver is null || !_events.TryGetValue(driver, out var events))
        {
            return ReconcileResult.Done;
        }

        var cls = claim.Spec?.StorageClassName is { } cn ? _classes.Get(cn) : null;
        if (cls is null)
        {
            return ReconcileResult.Done;
        }

        if (cls.VolumeBindingMode == WellKnown.WaitForFirstConsumer && claim.Metadata.Annotation(WellKnown.SelectedNode) != _options.NodeName)
        {
            return ReconcileResult.Done;
        }

        var pvName = "pvc-" + claim.Metadata.Uid;
        if (_volumes.Get(pvName) is not null)
        {
            return ReconcileResult.Done;
        }

        var now = DateTimeOffset.UtcNow;
        if (_firstSeen.TryAdd(key, now))
        {
            events.Normal(claim, "Provisioning", $"External provisioner is provisioning volume for claim \"{key}\"");
        }

        if (driver == SandboxDrivers.Slow && _firstSeen[key] + _options.SlowProvisionDelay - now is { } left && left > TimeSpan.Zero)
        {
            return ReconcileResult.After(left);
        }

        var dir = Path.Combine(VolumesDir, pvName);
        try
        {
            var source = await ContentSourceAsync(claim, cls, cancellationToken);
            PopulateDirectory(dir, source);
        }
        catch (ProvisioningException e)
        {
            var message = $"failed to provision volume with StorageClass \"{cls.Metadata.Name}\": {e.Message}";
            events.Warning(claim, "ProvisioningFailed", message);
            var failures = _failures.AddOrUpdate(key, 1, (_, n) => n + 1);
            _lastError[key] = message;
            // The provisioner's exponential retry: 1s doubling, capped at 5 minutes.
            return ReconcileResult.After(TimeSpan.FromSeconds(Math.Min(300, Math.Pow(2, Math.Min(failures - 1, 9)))));
        }

        var spec = new PersistentVolumeSpec
        {
            Capacity = new Dictionary<string, string> { ["storage"] = Request(claim) ?? "1Gi" },
            AccessModes = claim.Spec?.AccessModes ?? ["ReadWriteOnce"],
            ClaimRef = new ObjectReference
            {
                Kind = "PersistentVolumeClaim",
                ApiVersion = "v1",
                Namespace = claim.Metadata.Namespace,
                Name = claim.Metadata.Name,
                Uid = claim.Metadata.Uid,
                ResourceVersion = claim.Metadata.ResourceVersion,
            },
            PersistentVolumeReclaimPolicy = cls.ReclaimPolicy ?? "Delete",
            StorageClassName = cls.Metadata.Name,
            VolumeMode = claim.Spec?.VolumeMode ?? "Filesystem",
            HostPath = new HostPathVolumeSource { Path = dir, Type = "" },
        };
        // The directory lives on this node only, so the volume says so (csi-hostpath reports its node as topology).
        spec.Extra = new Dictionary<string, System.Text.Json.JsonElement> { ["nodeAffinity"] = VolumeNodeAffinity.OnNode(_options.NodeName) };
        var volume = new PersistentVolume
        {
            ApiVersion = "v1",
            Kind = "PersistentVolume",
            Metadata = new ObjectMeta
            {
                Name = pvName,
                Annotations = new Dictionary<string, string> { [WellKnown.ProvisionedBy] = driver },
                Finalizers = [SandboxDrivers.PvFinalizer],
            },
            Spec = spec,
        };
        try
        {
            await _volumeClient.CreateAsync(volume, cancellationToken);
        }
        catch (KubeApiException e) when (e.IsAlreadyExists)
        {
            // An earlier attempt got through.
        }

        events.Normal(claim, "ProvisioningSucceeded", $"Successfully provisioned volume {pvName}");
        LogProvisioned(_logger, key, pvName);
        Forget(key);
        return ReconcileResult.Done;
    }

    private async Task<string?> ContentSourceAsync(PersistentVolumeClaim claim, StorageClass cls, CancellationToken cancellationToken)
    {
        var ds = DataSourceOf(claim);
        if (ds is null)
        {
            return null;
        }

        var ns = claim.Metadata.Namespace!;
        if (ds.Kind == "PersistentVolumeClaim" && string.IsNullOrEmpty(ds.ApiGroup))
        {
            if (!SandboxDrivers.SupportsClone(cls.Provisioner))
            {
                throw new ProvisioningException("CSI driver does not support clone operations: controller CLONE_VOLUME capability is not reported");
            }

            var source = _claims.Get(ns, ds.Name)
                ?? throw new ProvisioningException($"error getting PVC {ds.Name} (namespace \"{ns}\") from api server: persistentvolumeclaim \"{ds.Name}\" not found");
            if (source.Status?.Phase != "Bound")
            {
                throw new ProvisioningException($"the PVC DataSource {ds.Name} must have a status of Bound.  Got &PersistentVolumeClaimStatus{{Phase:{source.Status?.Phase ?? "Pending"},}}");
            }

            if (source.Metadata.DeletionTimestamp is not null)
            {
                throw new ProvisioningException($"the PVC DataSource {ds.Name} is currently being deleted");
            }

            if (string.IsNullOrEmpty(source.Spec?.StorageClassName))
            {
                throw new ProvisioningException($"the source PVC ({ds.Name}) storageclass cannot be empty");
            }

            var requested = Bytes(Request(claim));
            var sourceSize = Bytes(Request(source));
            if (requested < sourceSize)
            {
                throw new ProvisioningException($"error, new PVC request must be greater than or equal in size to the specified PVC data source, requested {requested} but source is {sourceSize}");
            }

            var pv = source.Spec?.VolumeName is { Length: > 0 } vn ? _volumes.Get(vn) : null;
            if (pv is null || pv.Metadata.Annotation(WellKnown.ProvisionedBy) != cls.Provisioner || pv.Spec?.ClaimRef?.Uid != source.Metadata.Uid
                || pv.Status?.Phase != "Bound" || pv.Spec?.HostPath?.Path is null)
            {
                throw new ProvisioningException("claim in dataSource not bound or invalid");
            }

            var claimMode = claim.Spec?.VolumeMode ?? "Filesystem";
            var sourceMode = pv.Spec.VolumeMode ?? "Filesystem";
            if (claimMode != sourceMode)
            {
                throw new ProvisioningException($"the source PVC and destination PVCs must have the same volume mode for cloning.  Source is {sourceMode}, but new PVC requested {claimMode}");
            }

            return pv.Spec.HostPath.Path;
        }

        if (ds.Kind == "VolumeSnapshot" && ds.ApiGroup == "snapshot.storage.k8s.io")
        {
            if (!SandboxDrivers.SupportsSnapshot(cls.Provisioner))
            {
                throw new ProvisioningException("CSI driver does not support snapshot restore: controller CREATE_DELETE_SNAPSHOT capability is not reported");
            }

            VolumeSnapshot? snapshot;
            try
            {
                snapshot = await _client.Resource(KubeResources.VolumeSnapshots).GetAsync(ns, ds.Name, cancellationToken);
            }
            catch (KubeApiException e)
            {
                throw new ProvisioningException($"error getting snapshot {ds.Name} from api server: {e.Message}");
            }

            if (snapshot.Status?.BoundVolumeSnapshotContentName is not { } contentName)
            {
                throw new ProvisioningException($"snapshot {ds.Name} not bound");
            }

            if (snapshot.Status.ReadyToUse != true)
            {
                throw new ProvisioningException($"snapshot {ds.Name} is not Ready");
            }

            if (snapshot.Status.RestoreSize is { } restore && Bytes(Request(claim)) < Bytes(restore))
            {
                throw new ProvisioningException($"requested volume size {Bytes(Request(claim))} is less than the size {Bytes(restore)} for the source snapshot {ds.Name}");
            }

            var path = Path.Combine(_options.DataDir, "snapshots", contentName);
            return Directory.Exists(path) ? path : throw new ProvisioningException($"snapshot {ds.Name} not bound");
        }

        // Other populators: an empty volume, left for a populator controller to fill, as the real provisioner does.
        return null;
    }

    private async Task<ReconcileResult> ReconcileVolumeAsync(string name, CancellationToken cancellationToken)
    {
        var pv = _volumes.Get(name);
        if (pv is null || pv.Metadata.Annotation(WellKnown.ProvisionedBy) is not { } driver || !_events.ContainsKey(driver))
        {
            return ReconcileResult.Done;
        }

        var dir = pv.Spec?.HostPath?.Path;
        if (pv.Metadata.DeletionTimestamp is not null)
        {
            if (pv.Metadata.Finalizers?.Contains(SandboxDrivers.PvFinalizer) == true)
            {
                if (pv.Spec?.PersistentVolumeReclaimPolicy == "Delete")
                {
                    DeleteDirectory(dir);
                }

                await RemoveFinalizerAsync(pv, cancellationToken);
            }

            return ReconcileResult.Done;
        }

        if (pv.Status?.Phase == "Released" && pv.Spec?.PersistentVolumeReclaimPolicy == "Delete")
        {
            DeleteDirectory(dir);
            try
            {
                await _volumeClient.DeleteAsync(null, name, cancellationToken: cancellationToken);
                LogDeleted(_logger, name);
            }
            catch (KubeApiException e) when (e.IsNotFound)
            {
                // Gone already.
            }
        }

        return ReconcileResult.Done;
    }

    private async Task RemoveFinalizerAsync(PersistentVolume pv, CancellationToken cancellationToken)
    {
        try
        {
            await ConflictRetry.UpdateAsync(_volumeClient, pv, v => v.Metadata.Finalizers?.Contains(SandboxDrivers.PvFinalizer) != true ? null : v with
            {
                Metadata = v.Metadata with { Finalizers = v.Metadata.Finalizers.Where(f => f != SandboxDrivers.PvFinalizer).ToList() },
            }, WriteTarget.Object, _logger, cancellationToken);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            // Already gone.
        }
    }

    private void DeleteDirectory(string? dir)
    {
        // Only ever remove what this provisioner created.
        if (dir is not null && Path.GetFullPath(dir).StartsWith(Path.GetFullPath(VolumesDir) + Path.DirectorySeparatorChar, StringComparison.Ordinal) && Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// Makes <paramref name="dir"/> a copy of <paramref name="source"/> (empty when null), idempotently as the CSI
    /// driver's CreateVolume and CreateSnapshot are: a directory that exists is what an earlier call made (names come
    /// from object uids) and is left as it is, data written since included. A new one is filled beside it and renamed
    /// into place, so a reader (a restore copying a snapshot) never sees it half made. A controller acting on a stale
    /// cache (a second sync before its own write shows) used to wipe and refill it under such a reader.
    /// </summary>
    internal static void PopulateDirectory(string dir, string? source)
    {
        if (Directory.Exists(dir))
        {
            return;
        }

        var staging = dir + ".staging-" + Guid.NewGuid().ToString("n")[..8];
        try
        {
            Directory.CreateDirectory(staging);
            if (source is not null)
            {
                CopyDirectory(source, staging);
            }

            Directory.Move(staging, dir);
        }
        catch (IOException) when (Directory.Exists(dir))
        {
            // A concurrent call made it first.
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    /// <summary>A clone keeps owners, modes, links and times, like a block-level copy would.</summary>
    internal static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        var psi = new System.Diagnostics.ProcessStartInfo("cp") { UseShellExecute = false, RedirectStandardError = true };
        foreach (var a in new[] { "-a", "--", Path.Combine(from, "."), to })
        {
            psi.ArgumentList.Add(a);
        }

        using var cp = System.Diagnostics.Process.Start(psi) ?? throw new ProvisioningException("could not start cp");
        var error = cp.StandardError.ReadToEnd();
        cp.WaitForExit();
        if (cp.ExitCode != 0)
        {
            throw new ProvisioningException("rpc error: code = Internal desc = failed to clone volume: " + error.Trim());
        }
    }

    private void Forget(string key)
    {
        _firstSeen.TryRemove(key, out _);
        _failures.TryRemove(key, out _);
        _lastError.TryRemove(key, out _);
    }

    /// <summary>The claim a clone is made from (its dataSourceRef or dataSource of kind PersistentVolumeClaim), if any.</summary>
    private static string? CloneSource(PersistentVolumeClaim claim) =>
        DataSourceOf(claim) is { Kind: "PersistentVolumeClaim", ApiGroup: null or "" } ds ? ds.Name : null;

    /// <summary>dataSourceRef when set (it wins), else dataSource.</summary>
    private static TypedLocalObjectReference? DataSourceOf(PersistentVolumeClaim claim) =>
        claim.Spec?.DataSourceRef is { } r ? new TypedLocalObjectReference { ApiGroup = r.ApiGroup, Kind = r.Kind, Name = r.Name } : claim.Spec?.DataSource;

    internal static string? Request(PersistentVolumeClaim claim) =>
        claim.Spec?.Resources?.Requests is { } r && r.TryGetValue("storage", out var s) ? s : null;

    internal static long Bytes(string? quantity) =>
        Quantity.TryParse(quantity, out var v) ? (long)decimal.Ceiling(v) : 0;

    [LoggerMessage(Level = LogLevel.Information, Message = "Provisioned {Claim} as {Volume}")]
    private static partial void LogProvisioned(ILogger logger, string claim, string volume);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted volume {Volume}")]
    private static partial void LogDeleted(ILogger logger, string volume);
}
