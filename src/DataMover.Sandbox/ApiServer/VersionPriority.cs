using System.Globalization;
using System.Text.RegularExpressions;

namespace DataMover.Sandbox.ApiServer;

/// <summary>Kubernetes version ordering: GA before beta before alpha, higher numbers first, others last by name.</summary>
internal static partial class VersionPriority
{
    [GeneratedRegex("^v([0-9]+)(?:(alpha|beta)([0-9]+))?$")]
    private static partial Regex KubeVersion();

    public static string Rank(string version)
    {
        var m = KubeVersion().Match(version);
        if (!m.Success)
        {
            return "9" + version;
        }

        var major = 9999 - int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        var stage = m.Groups[2].Value switch { "" => 0, "beta" => 1, _ => 2 };
        var minor = m.Groups[3].Success && m.Groups[3].Value.Length > 0 ? 9999 - int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture) : 0;
        return string.Create(CultureInfo.InvariantCulture, $"{stage}{major:D4}{minor:D4}");
    }
}
