using System.Globalization;
using System.Text;

namespace DataMover.Operator.Tests.Support;

/// <summary>
/// A strict reader of the Prometheus text exposition format 0.0.4: every sample must belong to a family declared by a
/// TYPE line (histograms through _bucket, _sum and _count), label values unescape, and malformed lines throw.
/// </summary>
internal static class PrometheusText
{
    public static IReadOnlyDictionary<string, MetricFamilyText> Parse(string text)
    {
        var families = new Dictionary<string, MetricFamilyText>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line["# TYPE ".Length..].Split(' ');
                if (parts.Length != 2 || parts[1] is not ("counter" or "gauge" or "histogram" or "summary" or "untyped"))
                {
                    throw new FormatException($"bad TYPE line: {line}");
                }

                families[parts[0]] = new MetricFamilyText(parts[0], parts[1]);
                continue;
            }

            if (line.StartsWith('#'))
            {
                continue;
            }

            var sample = ParseSample(line);
            var owner = FamilyOf(families, sample.Name) ?? throw new FormatException($"sample of an undeclared family: {line}");
            owner.Samples.Add(sample);
        }

        return families;
    }

    private static MetricFamilyText? FamilyOf(Dictionary<string, MetricFamilyText> families, string sampleName)
    {
        if (families.TryGetValue(sampleName, out var exact))
        {
            return exact;
        }

        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (sampleName.EndsWith(suffix, StringComparison.Ordinal)
                && families.TryGetValue(sampleName[..^suffix.Length], out var f) && f.Type is "histogram" or "summary")
            {
                return f;
            }
        }

        return null;
    }

    private static SampleText ParseSample(string line)
    {
        var i = 0;
        while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] is '_' or ':'))
        {
            i++;
        }

        var name = line[..i];
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            throw new FormatException($"bad metric name: {line}");
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var start = i;
                while (char.IsAsciiLetterOrDigit(line[i]) || line[i] == '_')
                {
                    i++;
                }

                var label = line[start..i];
                if (label.Length == 0 || line[i] != '=' || line[i + 1] != '"')
                {
                    throw new FormatException($"bad label at {start}: {line}");
                }

                i += 2;
                var value = new StringBuilder();
                while (line[i] != '"')
                {
                    if (line[i] == '\\')
                    {
                        i++;
                        value.Append(line[i] switch { 'n' => '\n', '\\' => '\\', '"' => '"', _ => throw new FormatException($"bad escape: {line}") });
                    }
                    else
                    {
                        value.Append(line[i]);
                    }

                    i++;
                }

                i++;
                labels.Add(label, value.ToString());
                if (line[i] == ',')
                {
                    i++;
                }
            }

            i++;
        }

        var rest = line[i..].Trim().Split(' ');
        if (rest.Length is < 1 or > 2)
        {
            throw new FormatException($"bad value: {line}");
        }

        var number = rest[0] switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            _ => double.Parse(rest[0], NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        return new SampleText(name, labels, number);
    }
}
