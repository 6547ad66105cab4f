using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;
using DataMover.Operator.Naming;
using DataMover.Operator.Tests.Cluster;

namespace DataMover.Operator.Tests.Folders;

/// <summary>
/// Issue 11: two DataMovers accepted in the same second synced into the same folder and deleted each other's files.
/// The operator's clock stands still here, so every decision falls in the same second.
/// </summary>
[Collection(FakeClockClusterCollection.Name)]
public sealed class SameSecondFolderClusterTests(FakeClockClusterFixture fixture) : ClusterTestBase(fixture)
{
    [Fact]
    public async Task TwoDataMoversDecidingConcurrentlyInTheSameSecondGetDifferentFolders()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SecretAsync(ns, "storage-credentials");
        var spec = new DataMoverSpec { SourcePvc = "shared", SecretName = "storage-credentials", AddTimestampPrefix = true, Path = "team-a" };
        // Both wait for the same source: its binding wakes both at once, so the two workers decide concurrently,
        // each before the other's status reaches the cache.
        await CreateAsync(ns, "backup-a", spec);
        await CreateAsync(ns, "backup-b", spec);
        foreach (var name in new[] { "backup-a", "backup-b" })
        {
            await EventuallyAsync(async () => Progressing(await DataMovers.GetAsync(ns, name))?.Reason == "SourcePVCNotFound", $"{name} waiting for its source");
        }

        var now = fixture.Clock.GetUtcNow();
        await SourceAsync(ns, "shared");
        var a = await PhaseAsync(ns, "backup-a", DataMoverPhase.Completed);
        var b = await PhaseAsync(ns, "backup-b", DataMoverPhase.Completed);

        var timestamp = now.UtcDateTime.ToString(BackupFolderPlanner.TimestampFormat, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(now, fixture.Clock.GetUtcNow());
        Assert.NotEqual(a.Status!.DestinationPrefix, b.Status!.DestinationPrefix);
        var folders = new[] { (Dm: a, Folder: a.Status.DestinationPrefix!), (Dm: b, Folder: b.Status.DestinationPrefix!) };
        // One keeps upstream's folder, the other the same time with its own, deterministic suffix.
        Assert.Single(folders, f => f.Folder == timestamp);
        Assert.Single(folders, f => f.Folder == timestamp + "-" + CloneNamer.DisambiguatorFor(f.Dm.Metadata.Uid!));
        Assert.All(folders, f => Assert.Equal("team-a", f.Dm.Status!.AcceptedSpec!.Path));
    }

    private static Condition? Progressing(Api.DataMover dm) => dm.Status?.Conditions?.FirstOrDefault(c => c.Type == ConditionTypes.Progressing);
}
