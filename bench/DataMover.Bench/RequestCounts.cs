using System.Globalization;
using System.Text.RegularExpressions;

namespace DataMover.Bench;

/// <summary>rest_client_requests_total summed by HTTP method, from one Prometheus text scrape.</summary>
internal sealed partial record RequestCounts(IReadOnlyDictionary<string, double> ByMethod)
{
    private static readonly string[] WriteMethods = ["POST", "PUT", "PATCH", "DELETE"];

    public double Writes => WriteMethods.Sum(m => ByMethod.GetValueOrDefault(m));

    public double Reads => ByMethod.GetValueOrDefault("GET");

    public double Total => ByMethod.Values.Sum();

    public static RequestCounts Parse(string metrics)
    {
        var byMethod = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in metrics.Split('\n'))
        {
            if (Sample().Match(line) is { Success: true } m)
            {
                var method = m.Groups["method"].Value.ToUpperInvariant();
                byMethod[method] = byMethod.GetValueOrDefault(method) + double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
            }
        }

        return new RequestCounts(byMethod);
    }

    public static RequestCounts operator -(RequestCounts after, RequestCounts before) =>
        new(after.ByMethod.Keys.Union(before.ByMethod.Keys).ToDictionary(k => k, k => after.ByMethod.GetValueOrDefault(k) - before.ByMethod.GetValueOrDefault(k)));

    /// <summary>"POST 4.0, PATCH 8.0, ..." per <paramref name="divisor"/>, methods with nothing left out.</summary>
    public string Describe(double divisor) =>
        string.Join(", ", ByMethod.Where(kv => kv.Value > 0).OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {(kv.Value / divisor).ToString(divisor == 1 ? "0" : "0.0", CultureInfo.InvariantCulture)}"));

    [GeneratedRegex("""^rest_client_requests_total\{(?=[^}]*method="(?<method>[^"]*)")[^}]*\}\s+(?<value>[0-9.eE+-]+)""")]
    private static partial Regex Sample();
}
