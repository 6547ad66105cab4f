using System.Globalization;
using System.Text.RegularExpressions;

namespace DataMover.Bench;

/// <summary>
/// The upload and verify times inside a mover pod, from the "Elapsed time" of the statistics rclone prints after its
/// sync and its check (the mover shows both in its log, after "mover: syncing" and "mover: verifying").
/// </summary>
internal static partial class MoverLogTimes
{
    public static (TimeSpan? Upload, TimeSpan? Verify) Parse(string log)
    {
        TimeSpan? upload = null, verify = null;
        var step = "";
        foreach (var line in log.Split('\n'))
        {
            if (line.Contains("mover: syncing", StringComparison.Ordinal))
            {
                step = "sync";
            }
            else if (line.Contains("mover: verifying", StringComparison.Ordinal))
            {
                step = "check";
            }
            else if (Elapsed().Match(line) is { Success: true } m)
            {
                var value = Duration(m.Groups["value"].Value);
                if (step == "sync")
                {
                    upload = value;
                }
                else if (step == "check")
                {
                    verify = value;
                }
            }
        }

        return (upload, verify);
    }

    /// <summary>rclone's durations: "1h2m3.5s", "12.3s", "250ms".</summary>
    internal static TimeSpan Duration(string text)
    {
        var total = TimeSpan.Zero;
        foreach (Match part in DurationPart().Matches(text))
        {
            var number = double.Parse(part.Groups["n"].Value, CultureInfo.InvariantCulture);
            total += part.Groups["u"].Value switch
            {
                "h" => TimeSpan.FromHours(number),
                "m" => TimeSpan.FromMinutes(number),
                "ms" => TimeSpan.FromMilliseconds(number),
                _ => TimeSpan.FromSeconds(number),
            };
        }

        return total;
    }

    [GeneratedRegex(@"Elapsed time:\s*(?<value>[0-9.hms]+)")]
    private static partial Regex Elapsed();

    [GeneratedRegex(@"(?<n>[0-9.]+)(?<u>ms|h|m|s)")]
    private static partial Regex DurationPart();
}
