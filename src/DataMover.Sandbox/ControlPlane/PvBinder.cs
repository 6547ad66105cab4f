using System.Text.Json.Nodes;
using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Kube.Runtime;

namespace DataMover.Sandbox.ControlPlane;

/// <summary>
/// The persistentvolume-controller's binding half: hands unbound claims of external provisioners to them through
/// the storage-provisioner annotations, binds a claim to the PV whose claimRef names it (both sides, status
/// included) and marks PVs whose claim is gone as Released so their provisioner can reclaim them.
/// </summary>
internal sealed partial class PvBinder : IReconciler
{
    private const string ClaimIndex = "claim";
    private const string PvPrefix = "pv:";
    private readonly Informer<PersistentVolumeClaim> _claims;
    private readonly Informer<PersistentVolume> _volumes;
    private readonly Informer<StorageClass> _classes;
    private readonly Informer<Pod> _pods;
    private readonly ResourceClient<PersistentVolumeClaim> _claimClient;
    private readonly ResourceClient<PersistentVolume> _volumeClient;
    private readonly EventEmitter _events;
    private readonly ILogger _logger;

    public PvBinder(KubeClient client, InformerSet informers, ILoggerFactory loggers, int workers)
    {
        _logger = loggers.CreateLogger<PvBinder>();
        _claims = informers.Get(KubeResources.PersistentVolumeClaims);
        _volumes = informers.Get(KubeResources.PersistentVolumes);
        _classes = informers.Get(KubeResources.StorageClasses);
        _pods = informers.Get(KubeResources.Pods);
        _claimClient = client.Resource(KubeResources.PersistentVolumeClaims);
        _volumeClient = client.Resource(KubeResources.PersistentVolumes);
        _events = new EventEmitter(client, "persistentvolume-controller", null, _logger);
        Loop = new ControllerLoop("pv-binder", this, workers, _logger);

        _volumes.AddIndex(ClaimIndex, v => v.Spec?.ClaimRef is { Name: { } n } r ? [ObjectKey.Of(r.Namespace, n)] : []);
        _claims.AddHandler(InformerHandler<PersistentVolumeClaim>.Any(c =>
        {
            Loop.Enqueue(c.Key());
            foreach (var v in _volumes.ByIndex(ClaimIndex, c.Key()))
            {
                Loop.Enqueue(PvPrefix + v.Metadata.Name);
            }
        }));
        _volumes.AddHandler(InformerHandler<PersistentVolume>.Any(v =>
        {
            Loop.Enqueue(PvPrefix + v.Metadata.Name);
            if (v.Spec?.ClaimRef is { Name: { } n } r)
            {
                Loop.Enqueue(ObjectKey.Of(r.Namespace, n));
            }
        }));
        // Stands in for the real controller's 15s claim resync: a pod waiting to be scheduled changes the claim's event.
        _pods.AddHandler(new InformerHandler<Pod>(EnqueueClaimsOfUnscheduled, (_, p) => EnqueueClaimsOfUnscheduled(p), _ => { }));
        _classes.AddHandler(InformerHandler<StorageClass>.Any(_ =>
        {
            foreach (var c in _claims.List().Where(c => c.Status?.Phase != "Bound"))
            {
                Loop.Enqueue(c.Key());
            }
        }));
    }

    public ControllerLoop Loop { get; }

    private void EnqueueClaimsOfUnscheduled(Pod pod)
    {
        if (!string.IsNullOrEmpty(pod.Spec?.NodeName))
        {
            return;
        }

        foreach (var v in pod.Spec?.Volumes ?? [])
        {
            if (v.PersistentVolumeClaim is { } c)
            {
                Loop.Enqueue(ObjectKey.Of(pod.Metadata.Namespace, c.ClaimName));
            }
        }
    }

    public Task<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken) =>
        key.StartsWith(PvPrefix, StringComparison.Ordinal)
            ? ReconcileVolumeAsync(key[PvPrefix.Length..], cancellationToken)
            : ReconcileClaimAsync(key, cancellationToken);

    private async Task<ReconcileResult> ReconcileClaimAsync(string key, CancellationToken cancellationToken)
    {
        var claim = _claims.Get(key);
        if (claim is null || claim.Metadata.DeletionTimestamp is not null)
        {
            return ReconcileResult.Done;
        }

        var volume = _volumes.ByIndex(ClaimIndex, key).FirstOrDefault(v => v.Spec!.ClaimRef!.Uid is null || v.Spec.ClaimRef.Uid == claim.Metadata.Uid);
        if (claim.Spec?.VolumeName is { Length: > 0 } named)
        {
            volume = _volumes.Get(named) ?? volume;
        }

        if (volume is not null && volume.Metadata.DeletionTimestamp is null)
        {
            await BindAsync(claim, volume, cancellationToken);
            return ReconcileResult.Done;
        }

        if (claim.Status?.Phase == "Bound")
        {
            // Its volume vanished: the real controller reports the claim as Lost.
            if (claim.Spec?.VolumeName is { Length: > 0 } && _volumes.Get(claim.Spec.VolumeName) is null && _volumes.HasSynced)
            {
                await SetPhaseAsync(_claimClient, claim, "Lost", (c, phase) => c with { Status = (c.Status ?? new PersistentVolumeClaimStatus()) with { Phase = phase } }, cancellationToken);
                _events.Warning(claim, "ClaimLost", "Bound claim has lost its PersistentVolume. Data on the volume is lost!");
            }

            return ReconcileResult.Done;
        }

        var className = claim.Spec?.StorageClassName ?? _classes.List().FirstOrDefault(IsDefault)?.Metadata.Name;
        if (className is null)
        {
            _events.Normal(claim, "FailedBinding", "no persistent volumes available for this claim and no storage class is set");
            return ReconcileResult.Done;
        }

        var cls = _classes.Get(className);
        if (cls is null)
        {
            _events.Warning(claim, "ProvisioningFailed", $"storageclass.storage.k8s.io \"{className}\" not found");
            return ReconcileResult.Done;
        }

        if (cls.Provisioner == "kubernetes.io/no-provisioner")
        {
            _events.Normal(claim, "FailedBinding", "no persistent volumes available for this claim and no storage class is set");
            return ReconcileResult.Done;
        }

        if (cls.VolumeBindingMode == WellKnown.WaitForFirstConsumer && claim.Metadata.Annotation(WellKnown.SelectedNode) is null)
        {
            if (claim.Metadata.Annotation(WellKnown.StorageProvisioner) is null)
            {
                // emitEventForUnboundDelayBindingClaim: name the pods the scheduler has yet to place, if any.
                var waiting = _pods.List(claim.Metadata.Namespace)
                    .Where(p => string.IsNullOrEmpty(p.Spec?.NodeName) && (p.Spec?.Volumes ?? []).Any(v => v.PersistentVolumeClaim?.ClaimName == claim.Metadata.Name))
                    .Select(p => p.Metadata.Name!)
                    .ToList();
                if (waiting.Count == 0)
                {
                    _events.Normal(claim, "WaitForFirstConsumer", "waiting for first consumer to be created before binding");
                }
                else
                {
                    _events.Normal(claim, "WaitForPodScheduled", $"waiting for {(waiting.Count == 1 ? "pod" : "pods")} {string.Join(",", waiting)} to be scheduled");
                }
            }

            return ReconcileResult.Done;
        }

        if (claim.Metadata.Annotation(WellKnown.StorageProvisioner) != cls.Provisioner
            || claim.Metadata.Annotation(WellKnown.BetaStorageProvisioner) != cls.Provisioner)
        {
            var patch = new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["resourceVersion"] = claim.Metadata.ResourceVersion,
                    ["annotations"] = new JsonObject
                    {
                        [WellKnown.StorageProvisioner] = cls.Provisioner,
                        [WellKnown.BetaStorageProvisioner] = cls.Provisioner,
                    },
                },
            };
            await _claimClient.PatchAsync(claim.Metadata.Namespace, claim.Metadata.Name!, KubePatch.Merge(patch), cancellationToken: cancellationToken);
            _events.Normal(claim, "ExternalProvisioning", $"Waiting for a volume to be created either by the external provisioner '{cls.Provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that your external provisioner is running and correctly registered.");
        }

        return ReconcileResult.Done;
    }

    private async Task BindAsync(PersistentVolumeClaim claim, PersistentVolume volume, CancellationToken cancellationToken)
    {
        var claimRef = volume.Spec?.ClaimRef;
        if (claimRef?.Uid != claim.Metadata.Uid || volume.Status?.Phase != "Bound")
        {
            var spec = volume.Spec! with
            {
                ClaimRef = (claimRef ?? new ObjectReference()) with
                {
                    Kind = "PersistentVolumeClaim",
                    ApiVersion = "v1",
                    Namespace = claim.Metadata.Namespace,
                    Name = claim.Metadata.Name,
                    Uid = claim.Metadata.Uid,
                    ResourceVersion = claim.Metadata.ResourceVersion,
                },
            };
            var updated = volume;
            if (claimRef?.Uid != claim.Metadata.Uid)
            {
                updated = await ConflictRetry.UpdateAsync(_volumeClient, volume, v => v.Spec?.ClaimRef is { Uid: { } taken } && taken != claim.Metadata.Uid ? null : v with { Spec = v.Spec! with { ClaimRef = spec.ClaimRef } }, WriteTarget.Object, _logger, cancellationToken);
                if (updated is null)
                {
                    return;
                }
            }

            await SetPhaseAsync(_volumeClient, updated, "Bound", VolumePhase, cancellationToken);
            return;
        }

        if (claim.Spec?.VolumeName != volume.Metadata.Name || claim.Metadata.Annotation(WellKnown.BindCompleted) is null)
        {
            var written = await ConflictRetry.UpdateAsync(_claimClient, claim, c =>
            {
                if (!string.IsNullOrEmpty(c.Spec?.VolumeName) && c.Spec.VolumeName != volume.Metadata.Name)
                {
                    return null;
                }

                var annotations = new Dictionary<string, string>(c.Metadata.Annotations ?? new Dictionary<string, string>())
                {
                    [WellKnown.BindCompleted] = "yes",
                };
                if (string.IsNullOrEmpty(c.Spec?.VolumeName))
                {
                    // The controller chose the volume (the user did not name it).
                    annotations[WellKnown.BoundByController] = "yes";
                }

                return c with
                {
                    Metadata = c.Metadata with { Annotations = annotations },
                    Spec = c.Spec! with { VolumeName = volume.Metadata.Name },
                };
            }, WriteTarget.Object, _logger, cancellationToken);
            if (written is null)
            {
                return;
            }

            claim = written;
        }

        if (claim.Status?.Phase != "Bound")
        {
            await ConflictRetry.UpdateAsync(_claimClient, claim, c => c with
            {
                Status = (c.Status ?? new PersistentVolumeClaimStatus()) with
                {
                    Phase = "Bound",
                    AccessModes = volume.Spec?.AccessModes,
                    Capacity = volume.Spec?.Capacity,
                },
            }, WriteTarget.Status, _logger, cancellationToken);
            LogBound(_logger, claim.Key(), volume.Metadata.Name!);
        }
    }

    private async Task<ReconcileResult> ReconcileVolumeAsync(string name, CancellationToken cancellationToken)
    {
        var volume = _volumes.Get(name);
        if (volume?.Spec?.ClaimRef is not { Name: { } claimName } claimRef)
        {
            if (volume is not null && volume.Status?.Phase is null or "Pending")
            {
                await SetPhaseAsync(_volumeClient, volume, "Available", VolumePhase, cancellationToken);
            }

            return ReconcileResult.Done;
        }

        var claim = _claims.Get(claimRef.Namespace, claimName);
        if (volume.Status?.Phase == "Bound" && (claim is null || (claimRef.Uid is not null && claim.Metadata.Uid != claimRef.Uid)))
        {
            // Confirm with the server before declaring the claim gone: the informer may simply lag.
            var live = await _claimClient.TryGetAsync(claimRef.Namespace, claimName, cancellationToken);
            if (live is null || live.Metadata.Uid != claimRef.Uid)
            {
                await SetPhaseAsync(_volumeClient, volume, "Released", VolumePhase, cancellationToken);
            }
        }

        return ReconcileResult.Done;
    }

    private static PersistentVolume VolumePhase(PersistentVolume v, string phase) =>
        v with { Status = (v.Status ?? new PersistentVolumeStatus()) with { Phase = phase } };

    private Task SetPhaseAsync<T>(ResourceClient<T> client, T obj, string phase, Func<T, string, T> withPhase, CancellationToken cancellationToken)
        where T : KubeObject =>
        ConflictRetry.UpdateAsync(client, obj, o => withPhase(o, phase), WriteTarget.Status, _logger, cancellationToken);

    private static bool IsDefault(StorageClass c) => c.Metadata.Annotation(WellKnown.DefaultClass) == "true";

    [LoggerMessage(Level = LogLevel.Debug, Message = "Bound claim {Key} to volume {Volume}")]
    private static partial void LogBound(ILogger logger, string key, string volume);
}
