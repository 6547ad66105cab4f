using DataMover.Operator.Api;
using DataMover.Operator.Controllers;
using DataMover.Operator.Tests.Cluster;

namespace DataMover.Operator.Tests.Snapshots;

/// <summary>
/// cloneReady bounds the wait for the temporary PVC from its creation: the snapshot wait before it has its own bound
/// (snapshotReady) and does not eat into the clone's. On the operator's manual clock.
/// </summary>
[Collection(FakeClockClusterCollection.Name)]
public sealed class SnapshotCloneDeadlineTests(FakeClockClusterFixture fixture) : ClusterTestBase(fixture)
{
    [Fact]
    public async Task ASnapshotWaitLongerThanCloneReadyDoesNotTimeTheCloneOut()
    {
        var className = await SnapshotScenario.SlowClassAsync(Client, "5s");
        var ns = await Fixture.NewNamespaceAsync();
        await SourceAsync(ns, "data");
        await SecretAsync(ns, "creds");
        await CreateAsync(ns, "slowsnap", new DataMoverSpec
        {
            SourcePvc = "data",
            SecretName = "creds",
            CopyMethod = CopyMethods.Snapshot,
            VolumeSnapshotClassName = className,
            Timeouts = new DataMoverTimeouts { CloneReady = "1m", SnapshotReady = "30m" },
        });
        await EventuallyAsync(async () =>
            Conditions.Find((await DataMovers.GetAsync(ns, "slowsnap")).Status?.Conditions, ConditionTypes.Progressing)?.Reason == "SnapshotPending", "SnapshotPending");

        // Five minutes of snapshot wait on the operator's clock: past cloneReady, within snapshotReady.
        fixture.Clock.Advance(TimeSpan.FromMinutes(5));

        await PhaseAsync(ns, "slowsnap", DataMoverPhase.Completed);
    }
}
