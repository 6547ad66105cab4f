using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DataMover.Operator.Scheduling;

/// <summary>
/// Deterministic names for scheduled runs: "&lt;schedule&gt;-&lt;unix minutes&gt;" as the CronJob controller does, so that
/// creating the same run twice (say, after a crash before the status was written) fails with AlreadyExists.
/// Long or dotted schedule names are shortened with a hash so the result is a DNS label of at most
/// <see cref="MaxNameLength"/> characters, leaving room for the Job name the DataMover controller derives.
/// </summary>
internal static class ScheduledNameBuilder
{
    public const int MaxNameLength = 52;
    private const int MaxLabelValueLength = 63;
    private const int HashLength = 8;

    /// <summary>The DataMover name for the run of <paramref name="scheduleName"/> at <paramref name="scheduledTime"/>.</summary>
    public static string RunName(string scheduleName, DateTimeOffset scheduledTime)
    {
        var suffix = "-" + (scheduledTime.ToUnixTimeSeconds() / 60).ToString(CultureInfo.InvariantCulture);
        return Shorten(scheduleName, MaxNameLength - suffix.Length) + suffix;
    }

    /// <summary>A label value naming the schedule: the name itself when it fits in 63 characters.</summary>
    public static string LabelValue(string scheduleName) =>
        scheduleName.Length <= MaxLabelValueLength ? scheduleName : Shorten(scheduleName, MaxLabelValueLength);

    /// <summary>
    /// <paramref name="name"/> as a DNS label prefix of at most <paramref name="max"/> characters; when it had to be
    /// cut or changed, a hash of the original keeps distinct schedules distinct.
    /// </summary>
    private static string Shorten(string name, int max)
    {
        var label = name.Replace('.', '-');
        if (label.Length <= max && label == name)
        {
            return label;
        }

        var hash = Hash(name);
        var keep = Math.Max(0, max - HashLength - 1);
        var prefix = label[..Math.Min(label.Length, keep)].TrimEnd('-');
        return prefix.Length == 0 ? hash : prefix + "-" + hash;
    }

    private static string Hash(string name) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..HashLength];
}
