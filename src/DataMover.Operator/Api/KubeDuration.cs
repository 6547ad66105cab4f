using System.Globalization;
using System.Text.RegularExpressions;

namespace DataMover.Operator.Api;

/// <summary>Kubernetes' duration strings (metav1.Duration, Go's time.ParseDuration): "300ms", "90s", "15m", "1h30m".</summary>
internal static partial class KubeDuration
{
    [GeneratedRegex(@"\G(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")]
    private static partial Regex Part();

    /// <summary>The positive duration <paramref name="text"/> names, or null with an error when it is not one.</summary>
    public static TimeSpan? TryParse(string? text, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "empty duration";
            return null;
        }

        var total = 0.0;
        var at = 0;
        while (at < text.Length)
        {
            var m = Part().Match(text, at);
            if (!m.Success)
            {
                error = $"\"{text}\" is not a duration (examples: 90s, 15m, 1h30m)";
                return null;
            }

            var value = double.Parse(m.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
            total += m.Groups[2].Value switch
            {
                "h" => value * 3600,
                "m" => value * 60,
                "s" => value,
                "ms" => value / 1e3,
                "us" or "µs" => value / 1e6,
                _ => value / 1e9,
            };
            at += m.Length;
        }

        if (total <= 0 || total > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            error = $"\"{text}\" must be a positive duration";
            return null;
        }

        return TimeSpan.FromSeconds(total);
    }

    /// <summary>Go's shortest form for whole seconds: "1h30m0s" reads as "1h30m".</summary>
    public static string Format(TimeSpan span)
    {
        if (span < TimeSpan.FromSeconds(1))
        {
            return $"{(long)span.TotalMilliseconds}ms";
        }

        var parts = new System.Text.StringBuilder();
        if ((long)span.TotalHours is var h and > 0)
        {
            parts.Append(CultureInfo.InvariantCulture, $"{h}h");
        }

        if (span.Minutes > 0)
        {
            parts.Append(CultureInfo.InvariantCulture, $"{span.Minutes}m");
        }

        if (span.Seconds > 0)
        {
            parts.Append(CultureInfo.InvariantCulture, $"{span.Seconds}s");
        }

        return parts.ToString();
    }
}
