using DataMover.Operator.Scheduling;

namespace DataMover.Operator.Tests.Scheduling;

public sealed class CronScheduleTests
{
    private static CronSchedule Parse(string expression, string? zone = null)
    {
        var result = CronSchedule.Parse(expression, zone);
        Assert.True(result.Schedule is not null, result.Message);
        return result.Schedule!;
    }

    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Every_minute_next_is_the_following_minute()
    {
        var cron = Parse("* * * * *");
        Assert.Equal(Utc("2026-11-21T10:01:00Z"), cron.NextAfter(Utc("2026-11-21T10:00:00Z")));
        Assert.Equal(Utc("2026-11-21T10:01:00Z"), cron.NextAfter(Utc("2026-11-21T10:00:59.9Z")));
    }

    [Theory]
    [InlineData("@hourly", "2026-11-21T10:20:00Z", "2026-11-21T11:00:00Z")]
    [InlineData("@daily", "2026-11-21T10:20:00Z", "2026-11-22T00:00:00Z")]
    [InlineData("@midnight", "2026-11-21T10:20:00Z", "2026-11-22T00:00:00Z")]
    [InlineData("@weekly", "2026-11-21T10:20:00Z", "2026-11-22T00:00:00Z")] // 2026-11-22 is a Sunday
    [InlineData("@monthly", "2026-11-21T10:20:00Z", "2026-12-01T00:00:00Z")]
    [InlineData("@yearly", "2026-11-21T10:20:00Z", "2027-01-01T00:00:00Z")]
    [InlineData("@annually", "2026-11-21T10:20:00Z", "2027-01-01T00:00:00Z")]
    [InlineData("@DAILY", "2026-11-21T10:20:00Z", "2026-11-22T00:00:00Z")]
    public void Macros_expand_like_robfig_cron(string macro, string after, string expected) =>
        Assert.Equal(Utc(expected), Parse(macro).NextAfter(Utc(after)));

    [Fact]
    public void Day_of_month_and_day_of_week_both_restricted_means_either()
    {
        // Vixie/robfig cron: "13th OR Friday", where NCrontab alone would require both.
        var cron = Parse("0 0 13 * 5");
        Assert.Equal(Utc("2026-11-27T00:00:00Z"), cron.NextAfter(Utc("2026-11-21T00:00:00Z"))); // a Friday
        Assert.Equal(Utc("2026-12-13T00:00:00Z"), cron.NextAfter(Utc("2026-12-12T00:00:00Z"))); // a Sunday, the 13th
    }

    [Fact]
    public void Day_of_week_with_star_day_of_month_is_just_the_weekday()
    {
        var cron = Parse("0 0 * * MON");
        Assert.Equal(Utc("2026-11-23T00:00:00Z"), cron.NextAfter(Utc("2026-11-21T00:00:00Z")));
    }

    [Fact]
    public void Time_zone_is_honoured()
    {
        var cron = Parse("0 9 * * *", "Europe/Paris");
        Assert.Equal(Utc("2026-11-22T08:00:00Z"), cron.NextAfter(Utc("2026-11-21T09:00:00Z"))); // CET, UTC+1
        Assert.Equal(Utc("2026-07-01T07:00:00Z"), cron.NextAfter(Utc("2026-06-30T09:00:00Z"))); // CEST, UTC+2
    }

    [Fact]
    public void Spring_forward_skips_a_time_that_does_not_exist()
    {
        // 2026-03-29 in Paris: 02:00 CET jumps to 03:00 CEST, so 02:30 never happens; robfig/cron skips it too.
        var cron = Parse("30 2 * * *", "Europe/Paris");
        Assert.Equal(Utc("2026-03-28T01:30:00Z"), cron.NextAfter(Utc("2026-03-28T00:00:00Z")));
        Assert.Equal(Utc("2026-03-30T00:30:00Z"), cron.NextAfter(Utc("2026-03-28T01:30:00Z")));
    }

    [Fact]
    public void Spring_forward_hourly_schedule_continues_after_the_gap()
    {
        var cron = Parse("0 * * * *", "Europe/Paris");
        Assert.Equal(Utc("2026-03-29T01:00:00Z"), cron.NextAfter(Utc("2026-03-29T00:00:00Z"))); // 01:00 CET -> 03:00 CEST
    }

    [Fact]
    public void Fall_back_runs_a_repeated_time_once_at_its_first_occurrence()
    {
        // 2026-10-25 in Paris: 03:00 CEST falls back to 02:00 CET, so 02:30 happens at 00:30Z and again at 01:30Z.
        var cron = Parse("30 2 * * *", "Europe/Paris");
        var first = cron.NextAfter(Utc("2026-10-24T12:00:00Z"));
        Assert.Equal(Utc("2026-10-25T00:30:00Z"), first);
        Assert.Equal(Utc("2026-10-26T01:30:00Z"), cron.NextAfter(first!.Value));

        // Asked from inside the repeated hour (02:10 CET, after the first 02:30), it does not run again.
        Assert.Equal(Utc("2026-10-26T01:30:00Z"), cron.NextAfter(Utc("2026-10-25T01:10:00Z")));
    }

    [Fact]
    public void Latest_in_range_finds_the_most_recent_occurrence()
    {
        var cron = Parse("*/15 * * * *");
        Assert.Equal(Utc("2026-11-21T10:30:00Z"), cron.LatestIn(Utc("2026-11-21T10:00:00Z"), Utc("2026-11-21T10:44:59Z")));
        Assert.Equal(Utc("2026-11-21T10:45:00Z"), cron.LatestIn(Utc("2026-11-21T10:00:00Z"), Utc("2026-11-21T10:45:00Z")));
        Assert.Null(cron.LatestIn(Utc("2026-11-21T10:00:00Z"), Utc("2026-11-21T10:14:59Z")));
        Assert.Null(cron.LatestIn(Utc("2026-11-21T10:00:00Z"), Utc("2026-11-21T10:00:00Z")));
    }

    [Fact]
    public void Latest_in_range_is_cheap_after_a_long_outage()
    {
        var cron = Parse("* * * * *");
        var started = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(Utc("2026-11-21T10:00:00Z"), cron.LatestIn(Utc("2024-01-01T00:00:00Z"), Utc("2026-11-21T10:00:30Z")));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(2));

        var yearly = Parse("0 0 1 1 *");
        Assert.Equal(Utc("2026-01-01T00:00:00Z"), yearly.LatestIn(Utc("2020-01-01T00:00:00Z"), Utc("2026-11-21T10:00:30Z")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("* * * *")]
    [InlineData("* * * * * *")]
    [InlineData("61 * * * *")]
    [InlineData("* 24 * * *")]
    [InlineData("not a cron")]
    [InlineData("@every 5m")]
    [InlineData("@reboot")]
    [InlineData("0 0 30 2 *")]
    [InlineData("TZ=Europe/Paris 0 0 * * *")]
    public void Invalid_schedules_are_reported(string expression)
    {
        var result = CronSchedule.Parse(expression, null);
        Assert.Null(result.Schedule);
        Assert.Equal(ScheduleReasons.InvalidSchedule, result.Reason);
        Assert.False(string.IsNullOrEmpty(result.Message));
    }

    [Theory]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("Local")]
    [InlineData("W. Europe Standard Time")]
    public void Invalid_time_zones_are_reported(string zone)
    {
        var result = CronSchedule.Parse("0 0 * * *", zone);
        Assert.Null(result.Schedule);
        Assert.Equal(ScheduleReasons.InvalidTimeZone, result.Reason);
    }

    [Fact]
    public void Empty_time_zone_means_utc()
    {
        Assert.Equal(TimeZoneInfo.Utc, Parse("0 0 * * *", "").TimeZone);
        Assert.Equal(TimeZoneInfo.Utc, Parse("0 0 * * *").TimeZone);
    }
}
