using DataMover.Operator.Controllers;
using static DataMover.Operator.Tests.Folders.FolderTestObjects;

namespace DataMover.Operator.Tests.Folders;

public sealed class MirrorDestinationGateTests
{
    [Fact]
    public void TheOlderOfTwoWaitingMirrorsGoesFirstWhicheverAsks()
    {
        var older = InPhase(Mover("b-older", "uid-1", timestamped: false, created: Created), DataMoverPhase.ClonedPvcReady);
        var newer = InPhase(Mover("a-newer", "uid-2", timestamped: false, created: Created.AddSeconds(1)), DataMoverPhase.ClonedPvcReady);
        var gate = new MirrorDestinationGate();

        Assert.Same(older, gate.Enter(newer, [older, newer]));
        Assert.Null(gate.Enter(older, [older, newer]));
    }

    [Fact]
    public void WithinTheSameSecondTheNameDecides()
    {
        var a = InPhase(Mover("a", "uid-2", timestamped: false), DataMoverPhase.ClonedPvcReady);
        var b = InPhase(Mover("b", "uid-1", timestamped: false), DataMoverPhase.ClonedPvcReady);
        var gate = new MirrorDestinationGate();

        Assert.Same(a, gate.Enter(b, [a, b]));
        Assert.Null(gate.Enter(a, [a, b]));
    }

    [Fact]
    public void APassNotYetInTheCacheHoldsTheDestination()
    {
        // Two workers at once: the second sees the first still at the gate in its cache.
        var older = InPhase(Mover("a", "uid-1", timestamped: false), DataMoverPhase.ClonedPvcReady);
        var newer = InPhase(Mover("b", "uid-2", timestamped: false, created: Created.AddSeconds(1)), DataMoverPhase.ClonedPvcReady);
        var gate = new MirrorDestinationGate();

        Assert.Null(gate.Enter(older, [older, newer]));
        // Even a DataMover ranked first waits for one that passed already (a same-second tie resolved late).
        var tie = InPhase(Mover("0-first-by-name", "uid-3", timestamped: false), DataMoverPhase.ClonedPvcReady);
        Assert.Same(older, gate.Enter(tie, [older, newer, tie]));
        Assert.Same(older, gate.Enter(newer, [older, newer, tie]));
    }

    [Fact]
    public void ARunningMoverHoldsTheDestinationUntilItFinishes()
    {
        var running = InPhase(Mover("a", "uid-1", timestamped: false), DataMoverPhase.CreatingPod);
        var waiter = InPhase(Mover("b", "uid-2", timestamped: false, created: Created.AddSeconds(1)), DataMoverPhase.ClonedPvcReady);
        var gate = new MirrorDestinationGate();

        Assert.Same(running, gate.Enter(waiter, [running, waiter]));
        Assert.Equal("a", gate.Enter(waiter, [InPhase(running, DataMoverPhase.CreatingPod), waiter])?.Metadata.Name);
        Assert.Null(gate.Enter(waiter, [InPhase(running, DataMoverPhase.CleaningUp), waiter]));
    }

    [Theory]
    [InlineData(DataMoverPhase.Completed)]
    [InlineData(DataMoverPhase.Failed)]
    public void AFinishedMoverHoldsNothing(string phase)
    {
        var done = InPhase(Mover("a", "uid-1", timestamped: false), phase);
        var next = InPhase(Mover("b", "uid-2", timestamped: false, created: Created.AddSeconds(1)), DataMoverPhase.ClonedPvcReady);
        Assert.Null(new MirrorDestinationGate().Enter(next, [done, next]));
    }

    [Fact]
    public void APassIsReleasedWhenItsDataMoverFinishesOrGoes()
    {
        var first = InPhase(Mover("a", "uid-1", timestamped: false), DataMoverPhase.ClonedPvcReady);
        var second = InPhase(Mover("b", "uid-2", timestamped: false, created: Created.AddSeconds(1)), DataMoverPhase.ClonedPvcReady);
        var gate = new MirrorDestinationGate();
        Assert.Null(gate.Enter(first, [first, second]));
        Assert.Same(first, gate.Enter(second, [first, second]));
        Assert.Null(gate.Enter(second, [second]));
    }

    [Theory]
    [InlineData("team-a", "team-b", "s3", "apps", false)]
    [InlineData("team-a", "team-a", "s3", "apps", true)]
    [InlineData(null, "team-a", "s3", "apps", true)]
    [InlineData("team-a", "team-a/web", "s3", "apps", true)]
    [InlineData("team-a", "team-a", "other", "apps", false)]
    [InlineData("team-a", "team-a", "s3", "other", false)]
    public void OnlyTheSameSecretWithEqualOrNestedPathsWait(string? runningPath, string? waiterPath, string waiterSecret, string waiterNamespace, bool waits)
    {
        var running = InPhase(Mover("a", "uid-1", path: runningPath, timestamped: false), DataMoverPhase.CreatingPod);
        var waiter = InPhase(Mover("b", "uid-2", path: waiterPath, timestamped: false, secret: waiterSecret, ns: waiterNamespace), DataMoverPhase.ClonedPvcReady);
        Assert.Equal(waits, new MirrorDestinationGate().Enter(waiter, [running, waiter]) is not null);
    }

    [Fact]
    public void TimestampedBackupsNeverWaitNorHold()
    {
        var mirror = InPhase(Mover("a", "uid-1", timestamped: false), DataMoverPhase.CreatingPod);
        var timestamped = InPhase(Mover("b", "uid-2"), DataMoverPhase.ClonedPvcReady);
        var gate = new MirrorDestinationGate();
        Assert.Null(gate.Enter(timestamped, [mirror, timestamped]));
        Assert.Empty(MirrorDestinationGate.Keys(timestamped));
        Assert.Equal(["apps/s3"], MirrorDestinationGate.Keys(mirror));
    }

    [Fact]
    public void AChangedHolderWakesTheWaitersOfItsKeyOnly()
    {
        var holder = InPhase(Mover("a", "uid-1", timestamped: false), DataMoverPhase.Completed);
        var waiter = InPhase(Mover("b", "uid-2", timestamped: false), DataMoverPhase.ClonedPvcReady);
        var cloning = InPhase(Mover("c", "uid-3", timestamped: false), DataMoverPhase.CreatingClonedPvc);
        var woken = MirrorDestinationGate.Neighbours(holder, key => key == "apps/s3" ? [holder, waiter, cloning] : []);
        Assert.Equal([waiter], woken);
    }

    [Fact]
    public void TheMessagesNameTheHolderAndWhatMirrorModeDeletes()
    {
        var holder = InPhase(Mover("nightly-1", "uid-1", path: "team-a", timestamped: false), DataMoverPhase.CreatingPod);
        var waiter = Mover("nightly-2", "uid-2", path: "team-a", timestamped: false);
        Assert.Contains("in use by DataMover nightly-1;", MirrorDestinationGate.BusyMessage(waiter, holder), StringComparison.Ordinal);
        Assert.Contains("(Secret s3, path team-a/)", MirrorDestinationGate.BusyMessage(waiter, holder), StringComparison.Ordinal);
        Assert.Contains("onto path team-a/ of the bucket named by Secret s3 and deletes every other object there", MirrorDestinationGate.DeletesMessage(waiter), StringComparison.Ordinal);
        Assert.Contains("onto the root of the bucket named by Secret s3", MirrorDestinationGate.DeletesMessage(Mover("x", "uid-3", timestamped: false)), StringComparison.Ordinal);
    }
}
