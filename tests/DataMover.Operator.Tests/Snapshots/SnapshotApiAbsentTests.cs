using DataMover.Operator.Api;
using DataMover.Operator.Controllers;
using DataMover.Operator.Tests.Cluster;

namespace DataMover.Operator.Tests.Snapshots;

/// <summary>
/// A cluster without the snapshot CRDs: the operator says so once and keeps its snapshot informers off (no list
/// retrying a 404), Clone backups run, and a copyMethod Snapshot backup ends as VolumeSnapshotApiUnavailable.
/// </summary>
[Collection(NoSnapshotApiCollection.Name)]
public sealed class SnapshotApiAbsentTests(NoSnapshotApiClusterFixture fixture) : ClusterTestBase(fixture)
{
    [Fact]
    public async Task ASnapshotBackupWaitsForTheApiAndFailsWithVolumeSnapshotApiUnavailable()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SourceAsync(ns, "data");
        await SecretAsync(ns, "creds");
        await CreateAsync(ns, "nosnap", new DataMoverSpec
        {
            SourcePvc = "data",
            SecretName = "creds",
            CopyMethod = CopyMethods.Snapshot,
            Timeouts = new DataMoverTimeouts { SnapshotReady = "5s" },
        });

        var dm = await PhaseAsync(ns, "nosnap", DataMoverPhase.Failed);

        var failed = Conditions.Find(dm.Status!.Conditions, ConditionTypes.Failed)!;
        Assert.Equal("VolumeSnapshotApiUnavailable", failed.Reason);
        Assert.Contains("snapshot.storage.k8s.io/v1", failed.Message, StringComparison.Ordinal);
        Assert.True(await SnapshotScenario.DataMoverEventsAsync(Client, ns, "nosnap", "VolumeSnapshotApiUnavailable") >= 1);
    }

    [Fact]
    public async Task TheOperatorSaysOnceThatSnapshotsAreUnavailableAndStillRunsCloneBackups()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SourceAsync(ns, "data");
        await SecretAsync(ns, "creds");
        await CreateAsync(ns, "clone", new DataMoverSpec { SourcePvc = "data", SecretName = "creds" });

        await PhaseAsync(ns, "clone", DataMoverPhase.Completed);

        var lines = Fixture.OperatorLog.Lines;
        Assert.Single(lines, l => l.StartsWith("Information SnapshotApi:", StringComparison.Ordinal) && l.Contains("does not serve snapshot.storage.k8s.io/v1", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("Informer.VolumeSnapshot", StringComparison.Ordinal));
    }
}
