using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DataMover.Sandbox.ApiServer.Tables;

/// <summary>
/// The JSONPath subset printer columns use: .a.b, [n], [*], ['key'] and [?(@.x=="v")] filters.
/// Returns all matches in order.
/// </summary>
internal static partial class SimpleJsonPath
{
    [GeneratedRegex("^\\?\\(@\\.([A-Za-z0-9_.\\-]+)\\s*(==|!=)\\s*[\"']?(.*?)[\"']?\\)$")]
    private static partial Regex Filter();

    public static List<JsonNode?> Evaluate(JsonNode? root, string path)
    {
        var trimmed = path.Trim();
        if (trimmed.StartsWith('{') && trimmed.EndsWith('}'))
        {
            trimmed = trimmed[1..^1];
        }

        trimmed = trimmed.TrimStart('$');
        var current = new List<JsonNode?> { root };
        var i = 0;
        while (i < trimmed.Length && current.Count > 0)
        {
            if (trimmed[i] == '.')
            {
                var end = i + 1;
                while (end < trimmed.Length && trimmed[end] != '.' && trimmed[end] != '[')
                {
                    end++;
                }

                var name = trimmed[(i + 1)..end];
                current = name.Length == 0 ? current : current.Select(n => (n as JsonObject)?[name]).Where(n => n is not null).ToList();
                i = end;
            }
            else if (trimmed[i] == '[')
            {
                var end = trimmed.IndexOf(']', i);
                if (end < 0)
                {
                    return [];
                }

                var selector = trimmed[(i + 1)..end];
                current = Select(current, selector);
                i = end + 1;
            }
            else
            {
                return [];
            }
        }

        return current;
    }

    /// <summary>Renders a match like kubectl's JSONPath printer (strings raw, others as JSON).</summary>
    public static string Render(JsonNode? node) => node switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => node.ToJsonString(),
    };

    private static List<JsonNode?> Select(List<JsonNode?> nodes, string selector)
    {
        if (selector == "*")
        {
            return nodes.SelectMany(n => n switch
            {
                JsonArray a => a.AsEnumerable(),
                JsonObject o => o.Select(kv => kv.Value),
                _ => [],
            }).ToList();
        }

        if (int.TryParse(selector, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var index))
        {
            return nodes.OfType<JsonArray>().Select(a => index < 0 ? (a.Count + index >= 0 ? a[a.Count + index] : null) : (index < a.Count ? a[index] : null)).Where(n => n is not null).ToList();
        }

        if (selector.Length > 1 && selector[0] is '\'' or '"')
        {
            var key = selector[1..^1];
            return nodes.Select(n => (n as JsonObject)?[key]).Where(n => n is not null).ToList();
        }

        var m = Filter().Match(selector);
        if (m.Success)
        {
            var field = m.Groups[1].Value.Split('.');
            var equal = m.Groups[2].Value == "==";
            var expected = m.Groups[3].Value;
            return nodes.OfType<JsonArray>().SelectMany(a => a)
                .Where(item => (Render(JsonPaths.Node(item, field)) == expected) == equal)
                .ToList();
        }

        return [];
    }
}
