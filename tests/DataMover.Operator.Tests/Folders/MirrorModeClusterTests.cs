using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;
using DataMover.Operator.Tests.Cluster;
using Dm = DataMover.Operator.Api.DataMover;

namespace DataMover.Operator.Tests.Folders;

/// <summary>
/// Mirror mode (addTimestampPrefix false) syncs onto the destination and deletes everything else there: two such
/// backups of one destination must never run at once. The storage Secret's MOVER_TEST_SLEEP(_FOR) keys keep
/// the first mover running.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class MirrorModeClusterTests(ClusterFixture fixture) : ClusterTestBase(fixture)
{
    [Fact]
    public async Task TwoMirrorsOfTheSameSecretAndPathNeverHaveAMoverAtTheSameTime()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SecretAsync(ns, "s3", Sleep("5", "mirror-1"));
        await SourceAsync(ns, "data-1");
        await SourceAsync(ns, "data-2");
        await CreateAsync(ns, "mirror-1", Mirror("data-1", "team-a"));
        await PhaseAsync(ns, "mirror-1", DataMoverPhase.CreatingPod);
        await CreateAsync(ns, "mirror-2", Mirror("data-2", "team-a"));

        var waiting = await EventuallyAsync(async () =>
        {
            var dm = await DataMovers.GetAsync(ns, "mirror-2");
            return Progressing(dm) is { Reason: MirrorDestinationGate.BusyReason, Status: "False" } ? dm : null;
        }, "mirror-2 waiting for the destination");
        Assert.Contains("DataMover mirror-1", Progressing(waiting)!.Message, StringComparison.Ordinal);
        Assert.Equal(DataMoverPhase.ClonedPvcReady, waiting.Status!.Phase);
        Assert.NotEqual(DataMoverPhase.Completed, (await DataMovers.GetAsync(ns, "mirror-1")).Status?.Phase);
        Assert.Null(await Jobs.TryGetAsync(ns, "mirror-2-mover"));

        var first = await PhaseAsync(ns, "mirror-1", DataMoverPhase.Completed);
        await PhaseAsync(ns, "mirror-2", DataMoverPhase.Completed);
        var firstJob = await Jobs.GetAsync(ns, first.Status!.JobName!);
        var secondJob = await Jobs.GetAsync(ns, "mirror-2-mover");
        Assert.True(secondJob.Metadata.CreationTimestamp >= firstJob.Status!.CompletionTime,
            $"mirror-2's Job created {secondJob.Metadata.CreationTimestamp:O}, mirror-1's finished {firstJob.Status.CompletionTime:O}");

        var events = await EventsAsync(ns);
        Assert.Single(events, e => e.InvolvedObject?.Name == "mirror-1" && e.Reason == MirrorDestinationGate.DeletesReason && (e.Count ?? 1) == 1);
        Assert.Single(events, e => e.InvolvedObject?.Name == "mirror-2" && e.Reason == MirrorDestinationGate.DeletesReason && (e.Count ?? 1) == 1);
        Assert.Contains(events, e => e is { Type: "Warning", Reason: MirrorDestinationGate.BusyReason } && e.InvolvedObject?.Name == "mirror-2"
            && e.Message!.Contains("mirror-1", StringComparison.Ordinal));
        Assert.Contains("path team-a/ of the bucket named by Secret s3", events.First(e => e.Reason == MirrorDestinationGate.DeletesReason).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MirrorsOfDifferentPathsRunSideBySide()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SecretAsync(ns, "s3", Sleep("40", "mirror-a"));
        await SourceAsync(ns, "data-1");
        await SourceAsync(ns, "data-2");
        await CreateAsync(ns, "mirror-a", Mirror("data-1", "team-a"));
        await PhaseAsync(ns, "mirror-a", DataMoverPhase.CreatingPod);
        await CreateAsync(ns, "mirror-b", Mirror("data-2", "team-b"));

        await PhaseAsync(ns, "mirror-b", DataMoverPhase.Completed);
        Assert.Equal(DataMoverPhase.CreatingPod, (await DataMovers.GetAsync(ns, "mirror-a")).Status?.Phase);
        await DataMovers.DeleteAsync(ns, "mirror-a");
    }

    [Fact]
    public async Task AWaitForTheDestinationIsBoundedByMoverStart()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SecretAsync(ns, "s3", Sleep("40", "holder"));
        await SourceAsync(ns, "data-1");
        await SourceAsync(ns, "data-2");
        await CreateAsync(ns, "holder", Mirror("data-1", null));
        await PhaseAsync(ns, "holder", DataMoverPhase.CreatingPod);
        await CreateAsync(ns, "waiter", Mirror("data-2", null) with { Timeouts = new DataMoverTimeouts { MoverStart = "3s" } });

        var failed = await PhaseAsync(ns, "waiter", DataMoverPhase.Failed);
        var condition = failed.Status!.Conditions!.First(c => c.Type == ConditionTypes.Failed);
        Assert.Equal("MoverStartTimeout", condition.Reason);
        Assert.Contains("gave up after 3s: mirror destination (Secret s3, path /) is in use by DataMover holder", condition.Message, StringComparison.Ordinal);
        Assert.Null(await Jobs.TryGetAsync(ns, "waiter-mover"));
        await DataMovers.DeleteAsync(ns, "holder");
    }

    [Fact]
    public async Task ThePathSchemaRefusesAnAbsolutePath()
    {
        var ns = await Fixture.NewNamespaceAsync();
        var refused = await Assert.ThrowsAsync<KubeApiException>(() => CreateAsync(ns, "absolute", new DataMoverSpec { SourcePvc = "data", SecretName = "s3", Path = "/team-a" }));
        Assert.True(refused.IsInvalid, refused.Message);
        Assert.Contains("spec.path", refused.Message, StringComparison.Ordinal);
    }

    private static DataMoverSpec Mirror(string source, string? path) => new()
    {
        SourcePvc = source,
        SecretName = "s3",
        Path = path,
        AddTimestampPrefix = false,
    };

    /// <summary>Secret keys that make the test mover of <paramref name="dataMover"/> alone sleep.</summary>
    private static Dictionary<string, string> Sleep(string seconds, string dataMover) => new() { ["MOVER_TEST_SLEEP"] = seconds, ["MOVER_TEST_SLEEP_FOR"] = dataMover };

    private async Task<IReadOnlyList<Event>> EventsAsync(string ns) =>
        await EventuallyAsync<IReadOnlyList<Event>>(async () =>
        {
            var items = (await Client.Resource(KubeResources.Events).ListAsync(ns)).Items;
            return items.Count(e => e.Reason == MirrorDestinationGate.DeletesReason) >= 2 ? items : null;
        }, "MirrorModeDeletes events");

    private static Condition? Progressing(Dm dm) => dm.Status?.Conditions?.FirstOrDefault(c => c.Type == ConditionTypes.Progressing);
}
