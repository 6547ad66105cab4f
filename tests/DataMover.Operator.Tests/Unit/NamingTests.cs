using DataMover.Operator.Naming;

namespace DataMover.Operator.Tests.Unit;

public sealed class NamingTests
{
    private static readonly DateTimeOffset Time = new(2024, 8, 6, 14, 30, 52, TimeSpan.Zero);

    [Fact]
    public void CloneNameFollowsTheDocumentedPattern() =>
        Assert.Equal("web-app-data-cloned-20240806143052", CloneNamer.Name("web-app-data", Time));

    [Fact]
    public void CloneTimestampIsUtc() =>
        Assert.Equal("a-cloned-20240806143052", CloneNamer.Name("a", new DateTimeOffset(2024, 8, 6, 16, 30, 52, TimeSpan.FromHours(2))));

    [Fact]
    public void LongSourceIsShortenedWithAHashAndStaysDistinct()
    {
        var a = CloneNamer.Name(new string('a', 240) + "x", Time);
        var b = CloneNamer.Name(new string('a', 240) + "y", Time);
        Assert.True(a.Length <= KubeNames.MaxLabelLength, a);
        Assert.EndsWith("-cloned-20240806143052", a, StringComparison.Ordinal);
        Assert.NotEqual(a, b);
        Assert.Matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", a);
    }

    [Fact]
    public void ShorteningNeverLeavesADashOrDotBeforeTheHash()
    {
        var name = CloneNamer.Name(new string('a', 34) + "-.-" + new string('b', 30), Time);
        Assert.DoesNotContain("--", name, StringComparison.Ordinal);
        Assert.DoesNotContain(".-", name, StringComparison.Ordinal);
    }

    [Fact]
    public void DisambiguatedNameDiffersAndFits()
    {
        var source = new string('s', 100);
        var plain = CloneNamer.Name(source, Time);
        var other = CloneNamer.Name(source, Time, CloneNamer.DisambiguatorFor("uid-1"));
        Assert.NotEqual(plain, other);
        Assert.True(other.Length <= 63);
        Assert.Equal(other, CloneNamer.Name(source, Time, CloneNamer.DisambiguatorFor("uid-1")));
        Assert.NotEqual(other, CloneNamer.Name(source, Time, CloneNamer.DisambiguatorFor("uid-2")));
    }

    [Theory]
    [InlineData("backup-web-data", "backup-web-data-mover")]
    [InlineData("x", "x-mover")]
    public void JobNameIsDataMoverNamePlusMover(string dm, string expected) => Assert.Equal(expected, JobNamer.Name(dm));

    [Fact]
    public void JobNameOfALongDataMoverFitsALabel()
    {
        var name = JobNamer.Name(new string('d', 253));
        Assert.True(name.Length <= 63);
        Assert.EndsWith("-mover", name, StringComparison.Ordinal);
        Assert.NotEqual(name, JobNamer.Name(new string('d', 252) + "e"));
    }

    [Fact]
    public void LabelValuesFit()
    {
        Assert.Equal("short", KubeNames.LabelValue("short"));
        Assert.Equal(63, KubeNames.LabelValue(new string('l', 200)).Length);
    }
}
