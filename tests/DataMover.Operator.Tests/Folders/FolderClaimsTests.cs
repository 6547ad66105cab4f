using DataMover.Operator.Controllers;
using DataMover.Operator.Naming;
using static DataMover.Operator.Tests.Folders.FolderTestObjects;

namespace DataMover.Operator.Tests.Folders;

public sealed class FolderClaimsTests
{
    private const string Timestamp = "2026-11-30-085704";

    [Fact]
    public void TwoDataMoversCreatedInTheSameSecondGetDistinctFoldersBeforeEitherIsRecorded()
    {
        var claims = new FolderClaims();
        var first = Mover("web", "uid-web");
        var second = Mover("db", "uid-db");
        // Both deciding on the same cache view: neither status is recorded yet, as with two workers at once.
        var cached = new[] { first, second };

        var a = claims.Decide(first, "", Created, cached);
        var b = claims.Decide(second, "", Created, cached);

        Assert.Equal(Timestamp, a);
        Assert.Equal(Timestamp + "-" + CloneNamer.DisambiguatorFor("uid-db"), b);
    }

    [Fact]
    public void AFolderRecordedInTheCacheIsTaken()
    {
        var claims = new FolderClaims();
        var recorded = Accepted(Mover("web", "uid-web"), Timestamp, DataMoverPhase.Completed);
        var next = Mover("db", "uid-db");
        Assert.Equal(Timestamp + "-" + CloneNamer.DisambiguatorFor("uid-db"), claims.Decide(next, "", Created, [recorded, next]));
    }

    [Fact]
    public void AnotherNamespaceCountsAsTheSameBucket()
    {
        // The operator cannot read the Secrets, so "same path" is the only test it can make.
        var claims = new FolderClaims();
        var recorded = Accepted(Mover("web", "uid-web", ns: "team-a", secret: "other"), Timestamp);
        var next = Mover("web", "uid-web-b", ns: "team-b");
        Assert.NotEqual(Timestamp, claims.Decide(next, "", Created, [recorded, next]));
    }

    [Fact]
    public void ADifferentPathKeepsThePlainTimestamp()
    {
        var claims = new FolderClaims();
        var recorded = Accepted(Mover("web", "uid-web", path: "team-a"), Timestamp);
        var next = Mover("db", "uid-db", path: "team-b");
        Assert.Equal(Timestamp, claims.Decide(next, "team-b", Created, [recorded, next]));
    }

    [Fact]
    public void TheSamePathCollides()
    {
        var claims = new FolderClaims();
        var recorded = Accepted(Mover("web", "uid-web", path: "team-a"), Timestamp);
        var next = Mover("db", "uid-db", path: "team-a");
        Assert.NotEqual(Timestamp, claims.Decide(next, "team-a", Created, [recorded, next]));
    }

    [Fact]
    public void AClaimIsReleasedOnceTheCacheShowsItRecordedAndTheCacheAnswersFromThen()
    {
        var claims = new FolderClaims();
        var first = Mover("web", "uid-web");
        claims.Decide(first, "", Created, [first]);
        Assert.Equal(1, claims.Count);

        var second = Mover("db", "uid-db");
        var decided = claims.Decide(second, "", Created, [Accepted(first, Timestamp), second]);

        Assert.NotEqual(Timestamp, decided);
        Assert.Equal(1, claims.Count); // first's released, second's held
    }

    [Fact]
    public void AClaimOfADeletedDataMoverIsReleased()
    {
        var claims = new FolderClaims();
        var gone = Mover("web", "uid-web");
        claims.Decide(gone, "", Created, [gone]);
        var next = Mover("db", "uid-db");
        Assert.Equal(Timestamp, claims.Decide(next, "", Created, [next]));
    }

    [Fact]
    public void DecidingAgainReplacesTheDataMoversOwnClaim()
    {
        var claims = new FolderClaims();
        var dm = Mover("web", "uid-web");
        Assert.Equal(Timestamp, claims.Decide(dm, "", Created, [dm]));
        Assert.Equal("2026-11-30-085705", claims.Decide(dm, "", Created.AddSeconds(1), [dm]));
        Assert.Equal(1, claims.Count);
    }

    [Fact]
    public void ConcurrentDecisionsNeverShareAFolder()
    {
        var claims = new FolderClaims();
        var movers = Enumerable.Range(0, 32).Select(i => Mover("dm" + i, "uid-" + i)).ToArray();
        var folders = new string[movers.Length];
        Parallel.For(0, movers.Length, i => folders[i] = claims.Decide(movers[i], "", Created, movers));
        Assert.Equal(movers.Length, folders.Distinct(StringComparer.Ordinal).Count());
    }
}
