using DataMover.Operator.Controllers;
using DataMover.Operator.Naming;

namespace DataMover.Operator.Tests.Folders;

public sealed class BackupFolderPlannerTests
{
    private const string Uid = "0b5e7c1a-1111-2222-3333-444455556666";

    [Fact]
    public void WithoutACollisionTheFolderIsUpstreamsUtcTimestamp() =>
        Assert.Equal("2026-11-30-085704", BackupFolderPlanner.Choose(new DateTimeOffset(2026, 11, 30, 9, 57, 4, TimeSpan.FromHours(1)), Uid, _ => false));

    [Fact]
    public void ATakenTimestampGetsTheDataMoversDisambiguator() =>
        Assert.Equal("2026-11-30-085704-" + CloneNamer.DisambiguatorFor(Uid),
            BackupFolderPlanner.Choose(FolderTestObjects.Created, Uid, f => f == "2026-11-30-085704"));

    [Fact]
    public void WhenTheDisambiguatedFolderIsTakenTooTheUidIsUsed() =>
        Assert.Equal("2026-11-30-085704-" + Uid, BackupFolderPlanner.Choose(FolderTestObjects.Created, Uid, f => !f.EndsWith(Uid, StringComparison.Ordinal)));

    [Theory]
    [InlineData("", "2026", "", "2026", true)]
    [InlineData("team-a", "2026", "team-a", "2026", true)]
    [InlineData("team-a", "2026", "team-b", "2026", false)]
    [InlineData("", "2026", "team-a", "2026", false)]
    [InlineData("a", "2026", "a/2026", "2027", true)]
    [InlineData("a", "2026", "a/2026x", "2027", false)]
    [InlineData("a", "2026", "a", "2026-1", false)]
    public void DestinationsOverlapWhenEqualOrNested(string pathA, string folderA, string pathB, string folderB, bool overlaps)
    {
        Assert.Equal(overlaps, BackupFolderPlanner.Overlaps(pathA, folderA, pathB, folderB));
        Assert.Equal(overlaps, BackupFolderPlanner.Overlaps(pathB, folderB, pathA, folderA));
    }
}
