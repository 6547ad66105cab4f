using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;
using DataMover.Operator.Tests.Cluster;
using DataMover.Operator.Tests.Support;

namespace DataMover.Operator.Tests.Snapshots;

/// <summary>
/// copyMethod Snapshot against the sandbox's snapshot controller, the operator under its own ServiceAccount: the
/// temporary PVC is restored from a VolumeSnapshot of the source, and the snapshot never outlives the backup.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SnapshotBackupTests(ClusterFixture fixture) : ClusterTestBase(fixture)
{
    private ResourceClient<VolumeSnapshot> Snapshots => Client.Resource(KubeResources.VolumeSnapshots);

    [Fact]
    public async Task ASnapshotBackupCompletesAndDeletesItsSnapshotAndTemporaryPvc()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SourceAsync(ns, "web-app-data");
        await SecretAsync(ns, "storage-credentials");
        await CreateAsync(ns, "snap", new DataMoverSpec { SourcePvc = "web-app-data", SecretName = "storage-credentials", CopyMethod = CopyMethods.Snapshot, DeletePvcAfterBackup = true });

        var dm = await PhaseAsync(ns, "snap", DataMoverPhase.Completed);

        Assert.StartsWith("web-app-data-snapshot-", dm.Status!.SnapshotName, StringComparison.Ordinal);
        Assert.StartsWith("web-app-data-cloned-", dm.Status.RestoredPvcName, StringComparison.Ordinal);
        await EventuallyAsync(async () => await Pvcs.TryGetAsync(ns, dm.Status.RestoredPvcName!) is null, "temporary PVC deleted");
        await EventuallyAsync(async () => (await Snapshots.ListAsync(ns)).Items.Count == 0, "VolumeSnapshot deleted");
        Assert.DoesNotContain(Fixture.Cluster.AuthorizationsOf(OperatorIdentity.User), d => !d.Allowed && d.ApiGroup == "snapshot.storage.k8s.io");
    }

    [Fact]
    public async Task AKeptTemporaryPvcIsRestoredFromTheSnapshotAndTheSnapshotIsStillDeleted()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SourceAsync(ns, "web-app-data");
        await SecretAsync(ns, "storage-credentials");
        await CreateAsync(ns, "keep", new DataMoverSpec { SourcePvc = "web-app-data", SecretName = "storage-credentials", CopyMethod = CopyMethods.Snapshot });

        var dm = await PhaseAsync(ns, "keep", DataMoverPhase.Completed);

        var kept = await Pvcs.GetAsync(ns, dm.Status!.RestoredPvcName!);
        Assert.Equal("VolumeSnapshot", kept.Spec!.DataSource!.Kind);
        Assert.Equal("snapshot.storage.k8s.io", kept.Spec.DataSource.ApiGroup);
        Assert.Equal(dm.Status.SnapshotName, kept.Spec.DataSource.Name);
        await EventuallyAsync(async () => await Snapshots.TryGetAsync(ns, dm.Status.SnapshotName!) is null, "VolumeSnapshot deleted");
    }

    [Fact]
    public async Task ADriverWithoutADefaultSnapshotClassFailsWithNoVolumeSnapshotClass()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SourceAsync(ns, "web-app-data", "no-clone");
        await SecretAsync(ns, "storage-credentials");
        await CreateAsync(ns, "noclass", new DataMoverSpec { SourcePvc = "web-app-data", SecretName = "storage-credentials", CopyMethod = CopyMethods.Snapshot });

        var failed = Failed(await PhaseAsync(ns, "noclass", DataMoverPhase.Failed));

        Assert.Equal(SnapshotClassChoice.NoClassReason, failed.Reason);
        Assert.Contains("noclone.csi.sandbox.datamover.dev", failed.Message, StringComparison.Ordinal);
        Assert.Empty((await Snapshots.ListAsync(ns)).Items);
    }

    [Fact]
    public async Task ANamedSnapshotClassThatDoesNotExistFailsWithVolumeSnapshotClassNotFound()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SourceAsync(ns, "web-app-data");
        await SecretAsync(ns, "storage-credentials");
        await CreateAsync(ns, "missing", new DataMoverSpec { SourcePvc = "web-app-data", SecretName = "storage-credentials", CopyMethod = CopyMethods.Snapshot, VolumeSnapshotClassName = "gold" });

        var failed = Failed(await PhaseAsync(ns, "missing", DataMoverPhase.Failed));

        Assert.Equal(SnapshotClassChoice.NotFoundReason, failed.Reason);
        Assert.Contains("\"gold\"", failed.Message, StringComparison.Ordinal);
        Assert.Empty((await Snapshots.ListAsync(ns)).Items);
    }

    [Fact]
    public async Task ASnapshotTheDriverRefusesFailsWithSnapshotFailedAndItsError()
    {
        // A class for the no-clone driver, which takes no snapshots: the snapshotter sets status.error.
        var className = "refusing-" + Guid.NewGuid().ToString("N")[..8];
        await Client.Resource(KubeResources.VolumeSnapshotClasses).CreateAsync(new VolumeSnapshotClass
        {
            ApiVersion = "snapshot.storage.k8s.io/v1",
            Kind = "VolumeSnapshotClass",
            Metadata = new ObjectMeta { Name = className },
            Driver = "noclone.csi.sandbox.datamover.dev",
            DeletionPolicy = "Delete",
        });
        var ns = await Fixture.NewNamespaceAsync();
        await SourceAsync(ns, "web-app-data", "no-clone");
        await SecretAsync(ns, "storage-credentials");
        await CreateAsync(ns, "refused", new DataMoverSpec { SourcePvc = "web-app-data", SecretName = "storage-credentials", CopyMethod = CopyMethods.Snapshot, VolumeSnapshotClassName = className });

        var dm = await PhaseAsync(ns, "refused", DataMoverPhase.Failed);

        var failed = Failed(dm);
        Assert.Equal("SnapshotFailed", failed.Reason);
        Assert.Contains("does not support snapshots", failed.Message, StringComparison.Ordinal);
        await EventuallyAsync(async () => await Snapshots.TryGetAsync(ns, dm.Status!.SnapshotName!) is null, "failed VolumeSnapshot deleted");
    }

    private static Condition Failed(Api.DataMover dm) => Conditions.Find(dm.Status!.Conditions, ConditionTypes.Failed)!;
}
