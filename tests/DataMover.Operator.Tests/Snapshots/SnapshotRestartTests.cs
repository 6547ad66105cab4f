using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;
using DataMover.Operator.Tests.Cluster;

namespace DataMover.Operator.Tests.Snapshots;

/// <summary>
/// An operator restarted in the middle of a copyMethod Snapshot backup goes on with the snapshot status names: it
/// never takes a second one, finishes, and leaves no snapshot, content, temporary PVC or source finalizer behind.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SnapshotRestartTests(ClusterFixture fixture) : ClusterTestBase(fixture)
{
    private ResourceClient<VolumeSnapshot> Snapshots => Client.Resource(KubeResources.VolumeSnapshots);

    [Theory]
    [InlineData("SnapshotPending")]
    [InlineData(DataMoverPhase.CreatingPod)]
    public async Task ARestartedOperatorAdoptsTheSnapshotAndFinishes(string restartAt)
    {
        var className = await SnapshotScenario.SlowClassAsync(Client, "4s");
        var ns = await Fixture.NewNamespaceAsync();
        await SourceAsync(ns, "data");
        await SecretAsync(ns, "creds", new Dictionary<string, string> { ["MOVER_TEST_SLEEP"] = "3" });
        await CreateAsync(ns, "restart", new DataMoverSpec { SourcePvc = "data", SecretName = "creds", CopyMethod = CopyMethods.Snapshot, VolumeSnapshotClassName = className, DeletePvcAfterBackup = true });

        var before = await EventuallyAsync(async () =>
        {
            var dm = await DataMovers.GetAsync(ns, "restart");
            // A routine wait is not written (the mover's run shows only as phase CreatingPod), so a phase names it.
            var at = restartAt == DataMoverPhase.CreatingPod ? dm.Status?.Phase : Conditions.Find(dm.Status?.Conditions, ConditionTypes.Progressing)?.Reason;
            return at == restartAt ? dm : null;
        }, $"{restartAt}");
        var snapshotName = before.Status!.SnapshotName!;
        if (restartAt == "SnapshotPending")
        {
            Assert.NotEqual(true, (await Snapshots.GetAsync(ns, snapshotName)).Status?.ReadyToUse);
        }

        await Fixture.RestartOperatorAsync();

        var done = await PhaseAsync(ns, "restart", DataMoverPhase.Completed);
        Assert.Equal(snapshotName, done.Status!.SnapshotName);
        Assert.Equal(1, await SnapshotScenario.DataMoverEventsAsync(Client, ns, "restart", "SnapshotCreated"));
        await EventuallyAsync(async () => (await Snapshots.ListAsync(ns)).Items.Count == 0, "VolumeSnapshot deleted");
        await EventuallyAsync(async () => await Pvcs.TryGetAsync(ns, done.Status.RestoredPvcName!) is null, "temporary PVC deleted");
        await EventuallyAsync(async () => (await SnapshotScenario.ContentsOfAsync(Client, ns)).Count == 0, "VolumeSnapshotContent deleted");
        Assert.False(await SnapshotScenario.IsProtectedAsync(Client, ns, "data"));
    }
}
