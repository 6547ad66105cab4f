using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;
using DataMover.Operator.Tests.Cluster;

namespace DataMover.Operator.Tests.Snapshots;

/// <summary>
/// A snapshot whose driver never reports it ready: the backup ends at snapshotReady, and the cleanup rules still
/// hold (the snapshot goes, with it its content, and the source PVC the snapshotter protected is released).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SnapshotReadyTimeoutTests(ClusterFixture fixture) : ClusterTestBase(fixture)
{
    private ResourceClient<VolumeSnapshot> Snapshots => Client.Resource(KubeResources.VolumeSnapshots);

    [Fact]
    public async Task ASnapshotThatNeverBecomesReadyFailsWithSnapshotReadyTimeoutAndIsCleanedUp()
    {
        var className = await SnapshotScenario.SlowClassAsync(Client, "1h");
        var ns = await Fixture.NewNamespaceAsync();
        await SourceAsync(ns, "data");
        await SecretAsync(ns, "creds");
        await CreateAsync(ns, "never", new DataMoverSpec
        {
            SourcePvc = "data",
            SecretName = "creds",
            CopyMethod = CopyMethods.Snapshot,
            VolumeSnapshotClassName = className,
            Timeouts = new DataMoverTimeouts { SnapshotReady = "6s" },
        });

        // While it is being cut the snapshotter holds the source, as the external-snapshotter does.
        await EventuallyAsync(() => SnapshotScenario.IsProtectedAsync(Client, ns, "data"), "source protected while it is snapshotted");

        var dm = await PhaseAsync(ns, "never", DataMoverPhase.Failed);

        var failed = Conditions.Find(dm.Status!.Conditions, ConditionTypes.Failed)!;
        Assert.Equal("SnapshotReadyTimeout", failed.Reason);
        Assert.Contains(dm.Status.SnapshotName!, failed.Message, StringComparison.Ordinal);
        Assert.True(await SnapshotScenario.DataMoverEventsAsync(Client, ns, "never", "SnapshotReadyTimeout") >= 1);
        await EventuallyAsync(async () => (await Snapshots.ListAsync(ns)).Items.Count == 0, "unready VolumeSnapshot deleted");
        await EventuallyAsync(async () => (await SnapshotScenario.ContentsOfAsync(Client, ns)).Count == 0, "its VolumeSnapshotContent deleted");
        await EventuallyAsync(async () => !await SnapshotScenario.IsProtectedAsync(Client, ns, "data"), "source released");
        Assert.DoesNotContain((await Pvcs.ListAsync(ns)).Items, p => p.Metadata.Name != "data");
    }

    [Fact]
    public async Task ACompletedSnapshotBackupLeavesNoContentAndNoFinalizerOnTheSource()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SourceAsync(ns, "data");
        await SecretAsync(ns, "creds");
        await CreateAsync(ns, "clean", new DataMoverSpec { SourcePvc = "data", SecretName = "creds", CopyMethod = CopyMethods.Snapshot, DeletePvcAfterBackup = true });

        var dm = await PhaseAsync(ns, "clean", DataMoverPhase.Completed);

        await EventuallyAsync(async () => (await Snapshots.ListAsync(ns)).Items.Count == 0, "VolumeSnapshot deleted");
        await EventuallyAsync(async () => (await SnapshotScenario.ContentsOfAsync(Client, ns)).Count == 0, "VolumeSnapshotContent deleted");
        await EventuallyAsync(async () => await Pvcs.TryGetAsync(ns, dm.Status!.RestoredPvcName!) is null, "temporary PVC deleted");
        Assert.False(await SnapshotScenario.IsProtectedAsync(Client, ns, "data"));
    }
}
