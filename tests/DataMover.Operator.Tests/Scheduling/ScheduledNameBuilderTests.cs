using System.Globalization;
using System.Text.RegularExpressions;
using DataMover.Operator.Scheduling;

namespace DataMover.Operator.Tests.Scheduling;

public sealed partial class ScheduledNameBuilderTests
{
    private static readonly DateTimeOffset Time = DateTimeOffset.Parse("2026-11-21T10:00:00Z", CultureInfo.InvariantCulture);

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [Fact]
    public void Short_names_are_schedule_dash_unix_minutes()
    {
        Assert.Equal("nightly-29920920", ScheduledNameBuilder.RunName("nightly", Time));
    }

    [Fact]
    public void Names_are_deterministic_and_distinct_per_time()
    {
        Assert.Equal(ScheduledNameBuilder.RunName("nightly", Time), ScheduledNameBuilder.RunName("nightly", Time));
        Assert.NotEqual(ScheduledNameBuilder.RunName("nightly", Time), ScheduledNameBuilder.RunName("nightly", Time.AddMinutes(1)));
    }

    [Theory]
    [InlineData(40)]
    [InlineData(43)]
    [InlineData(44)]
    [InlineData(63)]
    [InlineData(253)]
    public void Long_names_are_shortened_to_a_valid_label(int length)
    {
        var name = string.Concat(Enumerable.Repeat("abcdefghij", 26))[..length];
        var run = ScheduledNameBuilder.RunName(name, Time);
        Assert.True(run.Length <= ScheduledNameBuilder.MaxNameLength, run);
        Assert.Matches(DnsLabel(), run);
        Assert.EndsWith("-29920920", run, StringComparison.Ordinal);
    }

    [Fact]
    public void Long_names_differing_only_at_the_end_stay_distinct()
    {
        var a = new string('a', 100) + "-one";
        var b = new string('a', 100) + "-two";
        Assert.NotEqual(ScheduledNameBuilder.RunName(a, Time), ScheduledNameBuilder.RunName(b, Time));
    }

    [Fact]
    public void Dots_are_replaced_and_hashed_so_they_cannot_collide_with_dashes()
    {
        var dotted = ScheduledNameBuilder.RunName("db.backup", Time);
        Assert.Matches(DnsLabel(), dotted);
        Assert.NotEqual(ScheduledNameBuilder.RunName("db-backup", Time), dotted);
    }

    [Fact]
    public void Label_values_fit_in_63_characters()
    {
        Assert.Equal("nightly", ScheduledNameBuilder.LabelValue("nightly"));
        var value = ScheduledNameBuilder.LabelValue(new string('x', 200));
        Assert.True(value.Length <= 63);
        Assert.Matches(DnsLabel(), value);
    }
}
