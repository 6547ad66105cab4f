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
    [InlineData("99999999999999999999 * * * *", "minute value 99999999999999999999 is out of range (0-59)")]
    [InlineData("2147483648 * * * *", "minute value 2147483648 is out of range")]
    [InlineData("* * * 99999999999 *", "month value 99999999999 is out of range (1-12)")]
    [InlineData("*/99999999999999999999 * * * *", "minute step")]
    [InlineData("0-99999999999 * * * *", "out of range")]
    [InlineData("60 * * * *", "minute value 60 is out of range (0-59)")]
    [InlineData("* 25 * * *", "hour value 25 is out of range (0-23)")]
    [InlineData("* * 0 * *", "day-of-month value 0 is out of range (1-31)")]
    [InlineData("* * 32 * *", "day-of-month value 32")]
    [InlineData("* * * 0 *", "month value 0")]
    [InlineData("* * * 13 *", "month value 13")]
    [InlineData("* * * * 7", "day-of-week value 7 is out of range (0-6)")]
    [InlineData("*/0 * * * *", "minute step \"0\"")]
    [InlineData("1-5/0 * * * *", "minute step")]
    [InlineData("*/ * * * *", "minute step")]
    [InlineData("*/-1 * * * *", "minute step")]
    [InlineData("*/5/2 * * * *", "more than one step")]
    [InlineData("5-1 * * * *", "minute range \"5-1\" starts after it ends")]
    [InlineData("* * * * FRI-MON", "day-of-week range")]
    [InlineData("1-2-3 * * * *", "more than one '-'")]
    [InlineData("1- * * * *", "missing bound")]
    [InlineData("-1 * * * *", "missing bound")]
    [InlineData("1,,2 * * * *", "empty list item")]
    [InlineData(", * * * *", "empty list item")]
    [InlineData("1, * * * *", "empty list item")]
    [InlineData("5x * * * *", "minute value \"5x\" is not a number")]
    [InlineData("+5 * * * *", "is not a number")]
    [InlineData("0x1F * * * *", "is not a number")]
    [InlineData("1.5 * * * *", "is not a number")]
    [InlineData("\u0663 * * * *", "is not a number")] // an Arabic-Indic digit: a digit, but not a cron one
    [InlineData("* * * * MONDAY", "is not a number or a name")]
    [InlineData("* * * JANUARY *", "is not a number or a name")]
    [InlineData("MON * * * *", "minute value \"MON\" is not a number")]
    [InlineData("* * L * *", "day-of-month value \"L\"")]
    [InlineData("* * 15W * *", "is not a number")]
    [InlineData("* * * * 5#3", "is not a number")]
    [InlineData("* * * * 5L", "is not a number")]
    [InlineData("** * * * *", "is not a number")]
    [InlineData("*-5 * * * *", "is not a number")]
    [InlineData("a\u0000b * * * *", "\\u0000")]
    [InlineData("* * * * * * *", "has 7 fields")]
    [InlineData("*", "has 1 fields")]
    [InlineData("0 0", "has 2 fields")]
    [InlineData("@every 1h30m", "unknown macro")]
    [InlineData("@", "unknown macro")]
    [InlineData("@hourly *", "unknown macro")]
    [InlineData("@weekly\t", null)] // trimmed: valid
    [InlineData("CRON_TZ=UTC * * * *", "use spec.timeZone")]
    [InlineData("0 0 31 2,4 *", "never fires")]
    public void Hostile_schedules_never_throw_and_explain_themselves(string expression, string? expectedMessage)
    {
        var result = CronSchedule.Parse(expression, null);

        if (expectedMessage is null)
        {
            Assert.NotNull(result.Schedule);
            return;
        }

        Assert.Null(result.Schedule);
        Assert.Equal(ScheduleReasons.InvalidSchedule, result.Reason);
        Assert.Contains(expectedMessage, result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Message!, char.IsControl);
    }

    [Theory]
    [InlineData("../../../../etc/passwd")]
    [InlineData("/etc/localtime")]
    [InlineData("Europe/Paris\u0000")]
    [InlineData("Europe/../Europe/Paris")]
    [InlineData("UTC\n")]
    [InlineData("\u00e9t\u00e9")]
    [InlineData("Etc/GMT+99")]
    [InlineData("a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z")]
    public void Hostile_time_zones_never_throw(string zone)
    {
        var result = CronSchedule.Parse("0 0 * * *", zone);
        Assert.Null(result.Schedule);
        Assert.Equal(ScheduleReasons.InvalidTimeZone, result.Reason);
        Assert.DoesNotContain(result.Message!, char.IsControl);
    }

    [Theory]
    [InlineData("5/15 * * * *", "2026-11-21T10:06:00Z", "2026-11-21T10:20:00Z")] // robfig/cron: 5-59/15
    [InlineData("? * * * *", "2026-11-21T10:06:00Z", "2026-11-21T10:07:00Z")]
    [InlineData("0 0 ? * MON", "2026-11-21T10:00:00Z", "2026-11-23T00:00:00Z")]
    [InlineData("0 0 * * sun", "2026-11-21T10:00:00Z", "2026-11-22T00:00:00Z")]
    [InlineData("0 0 1 jan-feb *", "2026-11-21T10:00:00Z", "2027-01-01T00:00:00Z")]
    [InlineData("0 0 * * MON-FRI", "2026-11-21T10:00:00Z", "2026-11-23T00:00:00Z")]
    [InlineData("*/61 * * * *", "2026-11-21T10:06:00Z", "2026-11-21T11:00:00Z")]
    [InlineData("0\t0  *\t* *", "2026-11-21T10:06:00Z", "2026-11-22T00:00:00Z")]
    public void Valid_robfig_syntax_is_accepted(string expression, string after, string expected) =>
        Assert.Equal(Utc(expected), Parse(expression).NextAfter(Utc(after)));

    [Fact]
    public void A_stepped_day_field_is_not_a_star_so_either_day_field_matches()
    {
        // robfig/cron: "*/2" in day-of-month is not a star, so this is "odd days OR Mondays". 2026-11-30 is an even
        // Monday; requiring both would wait for 2026-12-07.
        var cron = Parse("0 0 */2 * MON");
        Assert.Equal(Utc("2026-11-30T00:00:00Z"), cron.NextAfter(Utc("2026-11-29T00:00:00Z")));
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
