using System.Globalization;

namespace DataMover.Kube.Models;

/// <summary>resource.Quantity parsing ("10Gi", "500M", "1.5e3", "100m") to an exact decimal.</summary>
public static class Quantity
{
    private static readonly (string Suffix, decimal Factor)[] Suffixes =
    [
        ("Ki", 1024m), ("Mi", 1024m * 1024), ("Gi", 1024m * 1024 * 1024), ("Ti", 1024m * 1024 * 1024 * 1024),
        ("Pi", 1024m * 1024 * 1024 * 1024 * 1024), ("Ei", 1024m * 1024 * 1024 * 1024 * 1024 * 1024),
        ("n", 0.000000001m), ("u", 0.000001m), ("m", 0.001m), ("k", 1e3m), ("M", 1e6m), ("G", 1e9m), ("T", 1e12m),
        ("P", 1e15m), ("E", 1e18m),
    ];

    /// <summary>Parses a quantity; returns false for anything Kubernetes would reject.</summary>
    public static bool TryParse(string? text, out decimal value)
    {
        value = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        var factor = 1m;
        foreach (var (suffix, f) in Suffixes)
        {
            if (s.EndsWith(suffix, StringComparison.Ordinal) && s.Length > suffix.Length && (char.IsDigit(s[^(suffix.Length + 1)]) || s[^(suffix.Length + 1)] == '.'))
            {
                factor = f;
                s = s[..^suffix.Length];
                break;
            }
        }

        if (!decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        value = number * factor;
        return true;
    }

    /// <summary>Parses a quantity or throws <see cref="FormatException"/>.</summary>
    public static decimal Parse(string text) =>
        TryParse(text, out var v) ? v : throw new FormatException($"'{text}' is not a valid quantity");

    /// <summary>The larger of two quantities, keeping the original spelling of the winner.</summary>
    public static string? Max(string? a, string? b)
    {
        if (!TryParse(a, out var va))
        {
            return TryParse(b, out _) ? b : a;
        }

        return TryParse(b, out var vb) && vb > va ? b : a;
    }
}
