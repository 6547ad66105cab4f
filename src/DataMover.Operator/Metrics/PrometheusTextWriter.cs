using System.Globalization;
using System.Text;

namespace DataMover.Operator.Metrics;

/// <summary>Writes the Prometheus text exposition format 0.0.4.</summary>
internal static class PrometheusTextWriter
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Write(IEnumerable<MetricFamily> families)
    {
        var sb = new StringBuilder();
        foreach (var f in families)
        {
            sb.Append("# HELP ").Append(f.Name).Append(' ').Append(EscapeHelp(f.Help)).Append('\n');
            sb.Append("# TYPE ").Append(f.Name).Append(' ').Append(f.Kind.ToString().ToLowerInvariant()).Append('\n');
            foreach (var s in f.Snapshot())
            {
                if (f.Kind == MetricKind.Histogram)
                {
                    for (var i = 0; i < f.Buckets.Count; i++)
                    {
                        Line(sb, f.Name + "_bucket", f.LabelNames, s.LabelValues, ("le", Number(f.Buckets[i])), s.BucketCounts[i]);
                    }

                    Line(sb, f.Name + "_bucket", f.LabelNames, s.LabelValues, ("le", "+Inf"), s.Count);
                    Line(sb, f.Name + "_sum", f.LabelNames, s.LabelValues, null, s.Value);
                    Line(sb, f.Name + "_count", f.LabelNames, s.LabelValues, null, s.Count);
                }
                else
                {
                    Line(sb, f.Name, f.LabelNames, s.LabelValues, null, s.Value);
                }
            }
        }

        return sb.ToString();
    }

    /// <summary>Label values escape backslash, double quote and newline.</summary>
    public static string EscapeLabelValue(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>HELP text escapes backslash and newline only.</summary>
    public static string EscapeHelp(string help) =>
        help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    public static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static void Line(StringBuilder sb, string name, IReadOnlyList<string> labelNames, IReadOnlyList<string> labelValues, (string Name, string Value)? extra, double value)
    {
        sb.Append(name);
        if (labelNames.Count > 0 || extra is not null)
        {
            sb.Append('{');
            var first = true;
            for (var i = 0; i < labelNames.Count; i++)
            {
                Label(sb, ref first, labelNames[i], labelValues[i]);
            }

            if (extra is { } e)
            {
                Label(sb, ref first, e.Name, e.Value);
            }

            sb.Append('}');
        }

        sb.Append(' ').Append(Number(value)).Append('\n');
    }

    private static void Label(StringBuilder sb, ref bool first, string name, string value)
    {
        if (!first)
        {
            sb.Append(',');
        }

        first = false;
        sb.Append(name).Append("=\"").Append(EscapeLabelValue(value)).Append('"');
    }
}
