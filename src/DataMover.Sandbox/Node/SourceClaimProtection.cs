using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Kube.Runtime;
using DataMover.Sandbox.ControlPlane;

namespace DataMover.Sandbox.Node;

/// <summary>
/// The source PVC's <c>pvc-as-source-protection</c>, as the external-snapshotter's common controller keeps it
/// (ensurePVCFinalizer, checkandRemovePVCFinalizer, isPVCBeingUsed): added before the content is made, so the
/// claim cannot go away while it is being snapshotted; removed once no snapshot of it is still unready. A
/// snapshot that failed is unready too: it holds the claim until it is deleted.
/// </summary>
internal sealed class SourceClaimProtection
{
    private readonly ResourceClient<PersistentVolumeClaim> _claimsApi;
    private readonly Informer<VolumeSnapshot> _snapshots;
    private readonly Informer<PersistentVolumeClaim> _claims;
    private readonly ILogger _logger;

    public SourceClaimProtection(KubeClient client, Informer<VolumeSnapshot> snapshots, Informer<PersistentVolumeClaim> claims, ILogger logger)
    {
        _claimsApi = client.Resource(KubeResources.PersistentVolumeClaims);
        _snapshots = snapshots;
        _claims = claims;
        _logger = logger;
    }

    /// <summary>Adds the finalizer; the claim as written (or as known when it already had it).</summary>
    public async Task AddAsync(PersistentVolumeClaim claim, CancellationToken cancellationToken) =>
        await ConflictRetry.UpdateAsync(_claimsApi, claim, c => (c.Metadata.Finalizers ?? []).Contains(SnapshotFinalizers.PvcAsSource)
            ? null
            : c with { Metadata = c.Metadata with { Finalizers = [.. c.Metadata.Finalizers ?? [], SnapshotFinalizers.PvcAsSource] } },
            WriteTarget.Object, _logger, cancellationToken);

    /// <summary>Removes the finalizer from the claim unless a snapshot of it in the cache is still not readyToUse.</summary>
    public async Task ReleaseIfUnusedAsync(string ns, string claimName, CancellationToken cancellationToken)
    {
        if (_claims.Get(ns, claimName) is not { } claim || (claim.Metadata.Finalizers ?? []).Contains(SnapshotFinalizers.PvcAsSource) != true)
        {
            return;
        }

        if (_snapshots.List(ns).Any(s => s.Spec?.Source?.PersistentVolumeClaimName == claimName && s.Status?.ReadyToUse != true))
        {
            return;
        }

        await ConflictRetry.UpdateAsync(_claimsApi, claim, c => (c.Metadata.Finalizers ?? []).Contains(SnapshotFinalizers.PvcAsSource)
            ? c with { Metadata = c.Metadata with { Finalizers = [.. c.Metadata.Finalizers!.Where(f => f != SnapshotFinalizers.PvcAsSource)] } }
            : null,
            WriteTarget.Object, _logger, cancellationToken);
    }
}
