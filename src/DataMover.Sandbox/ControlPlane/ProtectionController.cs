using System.Text.Json.Nodes;
using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Kube.Runtime;

namespace DataMover.Sandbox.ControlPlane;

/// <summary>
/// The pvc-protection and pv-protection controllers: a claim being deleted keeps its finalizer while a pod that is
/// scheduled to a node references it, whatever the pod's phase (kube-controller-manager's <c>podUsesPVC</c>: only
/// generic ephemeral volumes of shut-down pods are exempt, and a Succeeded pod still pins its claim until the pod
/// object is deleted); a volume being deleted keeps its finalizer while it is Bound.
/// </summary>
internal sealed partial class ProtectionController : IReconciler
{
    private const string PvcIndex = "pvc";
    private const string DeletingIndex = "deleting-in-namespace";
    private const string PvPrefix = "pv:";
    private readonly Informer<PersistentVolumeClaim> _claims;
    private readonly Informer<PersistentVolume> _volumes;
    private readonly Informer<Pod> _pods;
    private readonly ResourceClient<PersistentVolumeClaim> _claimClient;
    private readonly ResourceClient<PersistentVolume> _volumeClient;
    private readonly ResourceClient<Pod> _podClient;
    private readonly ILogger _logger;

    public ProtectionController(KubeClient client, InformerSet informers, ILoggerFactory loggers, int workers)
    {
        _logger = loggers.CreateLogger<ProtectionController>();
        _claims = informers.Get(KubeResources.PersistentVolumeClaims);
        _volumes = informers.Get(KubeResources.PersistentVolumes);
        _pods = informers.Get(KubeResources.Pods);
        _claimClient = client.Resource(KubeResources.PersistentVolumeClaims);
        _volumeClient = client.Resource(KubeResources.PersistentVolumes);
        _podClient = client.Resource(KubeResources.Pods);
        Loop = new ControllerLoop("pvc-protection", this, workers, _logger);

        _claims.AddIndex(DeletingIndex, c => c.Metadata.DeletionTimestamp is not null && c.Metadata.Finalizers?.Contains(WellKnown.PvcProtection) == true ? [c.Metadata.Namespace ?? ""] : []);
        _pods.AddIndex(PvcIndex, p => (p.Spec?.Volumes ?? []).Where(v => v.PersistentVolumeClaim is not null)
            .Select(v => ObjectKey.Of(p.Metadata.Namespace, v.PersistentVolumeClaim!.ClaimName)));
        _claims.AddHandler(InformerHandler<PersistentVolumeClaim>.Any(c =>
        {
            if (c.Metadata.DeletionTimestamp is not null)
            {
                Loop.Enqueue(c.Key());
            }
        }));
        _volumes.AddHandler(InformerHandler<PersistentVolume>.Any(v =>
        {
            if (v.Metadata.DeletionTimestamp is not null)
            {
                Loop.Enqueue(PvPrefix + v.Metadata.Name);
            }
        }));
        _pods.AddHandler(InformerHandler<Pod>.Any(p =>
        {
            foreach (var v in (p.Spec?.Volumes ?? []).Where(v => v.PersistentVolumeClaim is not null))
            {
                Loop.Enqueue(ObjectKey.Of(p.Metadata.Namespace, v.PersistentVolumeClaim!.ClaimName));
            }
        }));
    }

    public ControllerLoop Loop { get; }

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        if (key.StartsWith(PvPrefix, StringComparison.Ordinal))
        {
            var volume = _volumes.Get(key[PvPrefix.Length..]);
            if (volume?.Metadata.DeletionTimestamp is null || volume.Metadata.Finalizers?.Contains(WellKnown.PvProtection) != true
                || volume.Status?.Phase == "Bound")
            {
                return ReconcileResult.Done;
            }

            await RemoveFinalizerAsync(_volumeClient, volume, WellKnown.PvProtection, cancellationToken);
            return ReconcileResult.Done;
        }

        var claim = _claims.Get(key);
        if (!IsReleaseCandidate(claim))
        {
            return ReconcileResult.Done;
        }

        // The informer may lag behind a just-created or just-bound pod: the real controller does a live list too, one
        // per namespace for every claim waiting there (processPVCsByNamespace with its LazyLivePodList), so a burst of
        // deletions costs one list rather than one each.
        var ns = claim!.Metadata.Namespace;
        var waiting = _claims.ByIndex(DeletingIndex, ns ?? "").Where(c => c.Key() != key && IsReleaseCandidate(c)).Prepend(claim).ToList();
        var live = await _podClient.ListAsync(ns, cancellationToken: cancellationToken);
        foreach (var candidate in waiting)
        {
            if (live.Items.Any(p => UsesClaim(p, candidate.Metadata.Name!)))
            {
                continue;
            }

            try
            {
                await RemoveFinalizerAsync(_claimClient, candidate, WellKnown.PvcProtection, cancellationToken);
            }
            catch (KubeApiException e) when (e.IsConflict && candidate != claim)
            {
                // Changed meanwhile: its own watch event brings it back.
            }
        }

        return ReconcileResult.Done;
    }

    /// <summary>A claim being deleted that still has its finalizer and that no pod in the cache uses.</summary>
    private bool IsReleaseCandidate(PersistentVolumeClaim? claim) =>
        claim?.Metadata.DeletionTimestamp is not null
        && claim.Metadata.Finalizers?.Contains(WellKnown.PvcProtection) == true
        && !_pods.ByIndex(PvcIndex, claim.Key()).Any(p => UsesClaim(p, claim.Metadata.Name!));

    /// <summary>
    /// pvc_protection_controller.go podUsesPVC: a pod counts once it is scheduled (spec.nodeName set), in any phase and
    /// also while it is being deleted, if a volume names the claim. Generic ephemeral volumes of terminated pods are
    /// exempt there; the sandbox has none (their claims are named after the pod, not referenced by claimName).
    /// </summary>
    internal static bool UsesClaim(Pod pod, string claimName) =>
        !string.IsNullOrEmpty(pod.Spec?.NodeName)
        && (pod.Spec.Volumes ?? []).Any(v => v.PersistentVolumeClaim?.ClaimName == claimName);

    internal static async Task RemoveFinalizerAsync<T>(ResourceClient<T> client, T obj, string finalizer, CancellationToken cancellationToken) where T : KubeObject
    {
        var remaining = new JsonArray();
        foreach (var f in (obj.Metadata.Finalizers ?? []).Where(f => f != finalizer))
        {
            remaining.Add(f);
        }

        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject { ["resourceVersion"] = obj.Metadata.ResourceVersion, ["finalizers"] = remaining },
        };
        try
        {
            await client.PatchAsync(obj.Metadata.Namespace, obj.Metadata.Name!, KubePatch.Merge(patch), cancellationToken: cancellationToken);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            // Already gone.
        }
    }
}
