using System.Globalization;
using System.Text.RegularExpressions;

namespace DataMover.Sandbox.ApiServer.Strategies;

/// <summary>Parses resource.Quantity strings ("10Gi", "500M", "1.5") for comparisons.</summary>
internal static partial class Quantity
{
    [GeneratedRegex("^([+-]?[0-9.]+)([eE][+-]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$")]
    private static partial Regex Pattern();

    public static bool TryParse(string? text, out decimal value)
    {
        value = 0;
        if (text is null)
        {
            return false;
        }

        var m = Pattern().Match(text);
        if (!m.Success || !decimal.TryParse(m.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        var suffix = m.Groups[2].Value;
        decimal factor = suffix switch
        {
            "" => 1m,
            "Ki" => 1024m,
            "Mi" => 1024m * 1024,
            "Gi" => 1024m * 1024 * 1024,
            "Ti" => 1024m * 1024 * 1024 * 1024,
            "Pi" => 1024m * 1024 * 1024 * 1024 * 1024,
            "Ei" => 1024m * 1024 * 1024 * 1024 * 1024 * 1024,
            "n" => 0.000000001m,
            "u" => 0.000001m,
            "m" => 0.001m,
            "k" => 1000m,
            "M" => 1000_000m,
            "G" => 1000_000_000m,
            "T" => 1000_000_000_000m,
            "P" => 1000_000_000_000_000m,
            "E" => 1000_000_000_000_000_000m,
            _ => (decimal)Math.Pow(10, int.Parse(suffix[1..], CultureInfo.InvariantCulture)),
        };
        value = number * factor;
        return true;
    }
}
