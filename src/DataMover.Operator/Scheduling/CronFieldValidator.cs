using System.Globalization;

namespace DataMover.Operator.Scheduling;

/// <summary>
/// Checks the five cron fields against the grammar of robfig/cron's standard parser (what CronJob accepts):
/// comma-separated items of <c>*</c>, <c>?</c>, a value or a <c>low-high</c> range, each with an optional
/// <c>/step</c>; months and weekdays also by three-letter name. It runs before NCrontab so that every malformed
/// field (a number too large for an int, a zero step, a backwards range, stray characters) becomes a message
/// naming the field, instead of whatever NCrontab throws for it.
/// </summary>
internal static class CronFieldValidator
{
    private static readonly string[] Months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] Weekdays = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    private static readonly CronField[] Fields =
    [
        new("minute", 0, 59, []),
        new("hour", 0, 23, []),
        new("day-of-month", 1, 31, []),
        new("month", 1, 12, Months),
        new("day-of-week", 0, 6, Weekdays),
    ];

    /// <summary>The first problem found in <paramref name="fields"/> (exactly five), or null when they are valid.</summary>
    public static string? FindError(IReadOnlyList<string> fields)
    {
        for (var i = 0; i < Fields.Length; i++)
        {
            if (CheckField(fields[i], Fields[i]) is { } error)
            {
                return error;
            }
        }

        return null;
    }

    /// <summary>
    /// True when the field contains an unstepped <c>*</c> or <c>?</c>: robfig/cron then requires both day fields to
    /// match, otherwise either ("*/2" is not a star for this rule, as in robfig/cron).
    /// </summary>
    public static bool IsStar(string field) =>
        field.Split(',').Any(item => item is "*" or "?" or "*/1" or "?/1");

    private static string? CheckField(string text, CronField field)
    {
        foreach (var item in text.Split(','))
        {
            if (item.Length == 0)
            {
                return $"{field.Name} \"{text}\" has an empty list item";
            }

            var rangeAndStep = item.Split('/');
            if (rangeAndStep.Length > 2)
            {
                return $"{field.Name} item \"{item}\" has more than one step";
            }

            if (CheckRange(rangeAndStep[0], isStepped: rangeAndStep.Length == 2, field) is { } rangeError)
            {
                return rangeError;
            }

            if (rangeAndStep.Length == 2)
            {
                var step = rangeAndStep[1];
                if (!IsDigits(step))
                {
                    return $"{field.Name} step \"{step}\" in \"{item}\" is not a number";
                }

                if (!int.TryParse(step, NumberStyles.None, CultureInfo.InvariantCulture, out var stepValue) || stepValue == 0)
                {
                    return $"{field.Name} step \"{step}\" in \"{item}\" must be a positive number no larger than {int.MaxValue}";
                }
            }
        }

        return null;
    }

    private static string? CheckRange(string range, bool isStepped, CronField field)
    {
        if (range is "*" or "?")
        {
            return null;
        }

        var bounds = range.Split('-');
        if (bounds.Length > 2)
        {
            return $"{field.Name} range \"{range}\" has more than one '-'";
        }

        if (Value(bounds[0], field) is not { } low)
        {
            return ValueError(bounds[0], field);
        }

        // robfig/cron reads "N/step" as "N-max/step".
        var high = field.Max;
        if (bounds.Length == 2)
        {
            if (Value(bounds[1], field) is not { } parsed)
            {
                return ValueError(bounds[1], field);
            }

            high = parsed;
        }
        else if (!isStepped)
        {
            high = low;
        }

        if (low < field.Min || high > field.Max)
        {
            var value = low < field.Min ? low : high;
            return $"{field.Name} value {value} is out of range ({field.Min}-{field.Max})";
        }

        return low > high ? $"{field.Name} range \"{range}\" starts after it ends" : null;
    }

    private static int? Value(string text, CronField field)
    {
        var name = Array.FindIndex(field.Names, n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
        if (name >= 0)
        {
            // Months are named from 1, weekdays from 0 (Sunday).
            return name + (field.Names == Months ? 1 : 0);
        }

        return IsDigits(text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    private static string ValueError(string text, CronField field)
    {
        if (text.Length == 0)
        {
            return $"{field.Name} has a range with a missing bound";
        }

        if (IsDigits(text))
        {
            // Too many digits for an int: out of range, whatever its value.
            return $"{field.Name} value {text} is out of range ({field.Min}-{field.Max})";
        }

        var names = field.Names.Length > 0 ? $" or a name ({string.Join(", ", field.Names)})" : "";
        return $"{field.Name} value \"{text}\" is not a number{names}";
    }

    private static bool IsDigits(string text) => text.Length > 0 && text.All(char.IsAsciiDigit);

    private sealed record CronField(string Name, int Min, int Max, string[] Names);
}
