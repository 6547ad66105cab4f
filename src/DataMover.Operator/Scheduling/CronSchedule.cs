using NCrontab;

namespace DataMover.Operator.Scheduling;

/// <summary>
/// A standard five-field cron expression (or macro) evaluated in an IANA time zone.
/// Occurrences are computed on the local wall clock with NCrontab and then mapped to instants:
/// a local time that does not exist (spring-forward gap) is skipped, as robfig/cron (the Kubernetes
/// CronJob parser) does; a local time that occurs twice (fall-back) runs once, at its first occurrence.
/// </summary>
internal sealed class CronSchedule
{
    /// <summary>How far ahead a next occurrence is searched; robfig/cron gives up after five years too.</summary>
    private static readonly TimeSpan Horizon = TimeSpan.FromDays(366 * 5);

    private static readonly Dictionary<string, string> Macros = new(StringComparer.OrdinalIgnoreCase)
    {
        ["@yearly"] = "0 0 1 1 *",
        ["@annually"] = "0 0 1 1 *",
        ["@monthly"] = "0 0 1 * *",
        ["@weekly"] = "0 0 * * 0",
        ["@daily"] = "0 0 * * *",
        ["@midnight"] = "0 0 * * *",
        ["@hourly"] = "0 * * * *",
    };

    // Several crontabs whose union is the schedule: cron runs a job when day-of-month OR day-of-week
    // matches if both are restricted, while NCrontab requires both; splitting restores cron's rule.
    private readonly IReadOnlyList<CrontabSchedule> _parts;

    private CronSchedule(string expression, TimeZoneInfo timeZone, IReadOnlyList<CrontabSchedule> parts)
    {
        Expression = expression;
        TimeZone = timeZone;
        _parts = parts;
    }

    public string Expression { get; }

    public TimeZoneInfo TimeZone { get; }

    /// <summary>
    /// Parses <paramref name="expression"/> in <paramref name="timeZone"/> (UTC when null or empty). Never throws:
    /// whatever the spec holds, a malformed schedule or zone comes back as a reason and a message.
    /// </summary>
    public static CronParseResult Parse(string? expression, string? timeZone)
    {
        var result = ParseUnchecked(expression, timeZone);
        return result.Schedule is null
            ? CronParseResult.Invalid(result.Reason!, Printable(result.Message!))
            : result;
    }

    private static CronParseResult ParseUnchecked(string? expression, string? timeZone)
    {
        var zone = ResolveTimeZone(timeZone);
        if (zone is null)
        {
            return CronParseResult.Invalid(ScheduleReasons.InvalidTimeZone, $"unknown time zone \"{timeZone}\": use an IANA name such as Europe/Paris");
        }

        var text = expression?.Trim() ?? "";
        if (text.Length == 0)
        {
            return CronParseResult.Invalid(ScheduleReasons.InvalidSchedule, "schedule is empty");
        }

        if (text.StartsWith("TZ=", StringComparison.Ordinal) || text.StartsWith("CRON_TZ=", StringComparison.Ordinal))
        {
            return CronParseResult.Invalid(ScheduleReasons.InvalidSchedule, "time zones in the schedule are not supported: use spec.timeZone");
        }

        if (text.StartsWith('@'))
        {
            if (!Macros.TryGetValue(text, out var expanded))
            {
                return CronParseResult.Invalid(ScheduleReasons.InvalidSchedule, $"unknown macro \"{text}\": use @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly");
            }

            text = expanded;
        }

        var fields = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5)
        {
            return CronParseResult.Invalid(ScheduleReasons.InvalidSchedule, $"schedule \"{expression}\" has {fields.Length} fields; expected 5 (minute hour day-of-month month day-of-week)");
        }

        if (CronFieldValidator.FindError(fields) is { } error)
        {
            return CronParseResult.Invalid(ScheduleReasons.InvalidSchedule, $"schedule \"{expression}\" is not valid cron: {error}");
        }

        // robfig/cron accepts '?' for "any" in every field; NCrontab knows only '*'.
        var dayOfMonthIsStar = CronFieldValidator.IsStar(fields[2]);
        var dayOfWeekIsStar = CronFieldValidator.IsStar(fields[4]);
        fields = fields.Select(f => f.Replace('?', '*')).ToArray();

        var variants = dayOfMonthIsStar || dayOfWeekIsStar
            ? new[] { string.Join(' ', fields) }
            : [$"{fields[0]} {fields[1]} {fields[2]} {fields[3]} *", $"{fields[0]} {fields[1]} * {fields[3]} {fields[4]}"];

        var parts = new List<CrontabSchedule>();
        foreach (var variant in variants)
        {
            try
            {
                parts.Add(CrontabSchedule.Parse(variant));
            }
            catch (Exception e) when (e is CrontabException or FormatException or OverflowException or ArgumentException)
            {
                // The validator should have caught it; NCrontab's own words are the next best thing to a crash.
                return CronParseResult.Invalid(ScheduleReasons.InvalidSchedule, $"schedule \"{expression}\" is not valid cron: {FirstLine(e.Message)}");
            }
        }

        var schedule = new CronSchedule(expression!.Trim(), zone, parts);

        // "0 0 30 2 *" parses but never fires; reporting it beats a schedule that silently does nothing.
        if (schedule.NextAfter(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero)) is null)
        {
            return CronParseResult.Invalid(ScheduleReasons.InvalidSchedule, $"schedule \"{expression}\" never fires");
        }

        return CronParseResult.Valid(schedule);
    }

    /// <summary>The first occurrence strictly after <paramref name="instant"/>, or null if none within five years.</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset instant)
    {
        var cursor = TimeZoneInfo.ConvertTime(instant, TimeZone).DateTime;
        var end = cursor + Horizon;
        while (true)
        {
            var local = NextLocal(cursor, end);
            if (local is null)
            {
                return null;
            }

            cursor = local.Value;
            if (TimeZone.IsInvalidTime(cursor))
            {
                // In the spring-forward gap: this wall-clock time never happens that day.
                continue;
            }

            var at = ToInstant(cursor);
            if (at > instant)
            {
                return at;
            }

            // An ambiguous time already passed in its first occurrence: it does not run again.
        }
    }

    /// <summary>The latest occurrence in (<paramref name="after"/>, <paramref name="upTo"/>], or null.</summary>
    public DateTimeOffset? LatestIn(DateTimeOffset after, DateTimeOffset upTo)
    {
        if (upTo <= after)
        {
            return null;
        }

        // There is no "previous occurrence" in NCrontab; search windows growing backwards from upTo so that a
        // year-old lastScheduleTime with an every-minute schedule costs a few dozen steps, not half a million.
        var window = TimeSpan.FromHours(1);
        while (true)
        {
            // Compared as spans: upTo - window itself would underflow once the window outgrows the calendar.
            var from = window >= upTo - after ? after : upTo - window;
            DateTimeOffset? latest = null;
            for (var t = NextAfter(from); t is { } at && at <= upTo; t = NextAfter(at))
            {
                latest = at;
            }

            if (latest is not null || from == after)
            {
                return latest;
            }

            window = window.Ticks > TimeSpan.MaxValue.Ticks / 8 ? TimeSpan.MaxValue : window * 8;
        }
    }

    private DateTime? NextLocal(DateTime cursor, DateTime end)
    {
        DateTime? best = null;
        foreach (var part in _parts)
        {
            var next = part.GetNextOccurrence(cursor, end);
            if (next < end && (best is null || next < best))
            {
                best = next;
            }
        }

        return best;
    }

    /// <summary>Maps a valid wall-clock time to an instant; an ambiguous one to its first (daylight) occurrence.</summary>
    private DateTimeOffset ToInstant(DateTime local)
    {
        var offset = TimeZone.IsAmbiguousTime(local)
            ? TimeZone.GetAmbiguousTimeOffsets(local).Max()
            : TimeZone.GetUtcOffset(local);
        return new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), offset);
    }

    private static TimeZoneInfo? ResolveTimeZone(string? id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return TimeZoneInfo.Utc;
        }

        try
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(id);

            // Windows names resolve on Linux too; Kubernetes accepts only IANA names, and so do we.
            return zone.HasIanaId && !string.Equals(id, "Local", StringComparison.OrdinalIgnoreCase) ? zone : null;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException or IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            // A name that is not a zone, or one that reaches outside the zone database ("../../etc/passwd").
            return null;
        }
    }

    /// <summary>Control characters from the spec would garble a condition message or an event; show them escaped.</summary>
    private static string Printable(string text) =>
        text.Any(char.IsControl) ? string.Concat(text.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString())) : text;

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}
