using DataMover.Operator.Api;
using DataMover.Operator.Controllers;
using DataMover.Operator.Restore;

namespace DataMover.Operator.Tests.Restore;

/// <summary>The inspection's pure decisions: which result counts, and the size a new PVC gets from it.</summary>
public sealed class RestoreInspectionUnitTests
{
    private static readonly MoverResult Inspected = new()
    {
        Kind = MoverResult.ResultKind, Outcome = "Succeeded", Mode = "inspect", Path = "team-a", Folder = "2026-11-30-085704", Files = 3, Bytes = 100,
    };

    [Theory]
    [InlineData("10Gi", 100L, "10Gi")]
    [InlineData("", 100L, "1Gi")]
    [InlineData("", 0L, "1Gi")]
    [InlineData("", 1073741824L, "2Gi")] // 1 Gi of data plus 20 % needs a second Gi
    [InlineData("", 5368709120L, "6Gi")]
    [InlineData(null, 894784853L, "1Gi")] // just under 1 Gi with the headroom
    public void TheSizeIsTheManifestsCapacityElseTheBytesWithHeadroom(string? capacity, long bytes, string expected)
    {
        var (size, basis, problem) = RestoreInspection.SizeOf(Inspected with { SourceCapacity = capacity, Bytes = bytes });
        Assert.Null(problem);
        Assert.Equal(expected, size);
        Assert.Contains(string.IsNullOrEmpty(capacity) ? "bytes plus 20%" : "capacity", basis, StringComparison.Ordinal);
    }

    [Fact]
    public void AResultWithoutUsableSizeGivesNone()
    {
        Assert.NotNull(RestoreInspection.SizeOf(Inspected with { SourceCapacity = "lots" }).Problem);
        Assert.NotNull(RestoreInspection.SizeOf(Inspected with { SourceCapacity = "0" }).Problem);
        Assert.NotNull(RestoreInspection.SizeOf(Inspected with { SourceCapacity = null, Bytes = null }).Problem);
        Assert.Null(RestoreInspection.SizeOf(Inspected with { SourceCapacity = "lots" }).Size);
    }

    [Fact]
    public void OnlyAnInspectResultForTheRecordedPathAndFolderCounts()
    {
        var latest = new DataMoverRestoreStatus { Path = "team-a", RequestedFolder = "latest" };
        Assert.Null(RestoreResultCheck.WhyNot(Inspected, latest, RestoreInspectJobBuilder.InspectMode));
        Assert.NotNull(RestoreResultCheck.WhyNot(Inspected with { Mode = "restore" }, latest, RestoreInspectJobBuilder.InspectMode));
        Assert.NotNull(RestoreResultCheck.WhyNot(Inspected, latest));
        Assert.NotNull(RestoreResultCheck.WhyNot(Inspected with { Folder = "latest" }, latest, RestoreInspectJobBuilder.InspectMode));
        Assert.NotNull(RestoreResultCheck.WhyNot(Inspected with { Path = "team-b" }, latest, RestoreInspectJobBuilder.InspectMode));
        var parsed = MoverResult.Parse("""{"kind":"DataMoverResult","formatVersion":1,"mode":"inspect","outcome":"Succeeded","path":"p","folder":"f","sourceCapacity":"2Gi","files":1,"bytes":5,"message":"m"}""");
        Assert.Equal("2Gi", parsed!.SourceCapacity);
    }
}
