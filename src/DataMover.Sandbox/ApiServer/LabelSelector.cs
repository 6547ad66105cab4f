using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer;

/// <summary>A parsed labelSelector query (equality and set-based requirements, as in k8s.io/apimachinery/pkg/labels).</summary>
internal sealed class LabelSelector
{
    private readonly List<Requirement> _requirements;

    private LabelSelector(List<Requirement> requirements) => _requirements = requirements;

    public static LabelSelector Everything { get; } = new([]);

    public bool IsEmpty => _requirements.Count == 0;

    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var requirements = new List<Requirement>();
        foreach (var part in SplitTopLevel(text))
        {
            requirements.Add(ParseRequirement(part.Trim()));
        }

        return new LabelSelector(requirements);
    }

    public bool Matches(JsonObject obj)
    {
        if (_requirements.Count == 0)
        {
            return true;
        }

        var labels = JsonPaths.StringMap(JsonPaths.Node(obj, "metadata", "labels"));
        return _requirements.All(r => r.Matches(labels));
    }

    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    yield return text[start..i];
                    start = i + 1;
                    break;
            }
        }

        yield return text[start..];
    }

    private static Requirement ParseRequirement(string part)
    {
        if (part.Length == 0)
        {
            throw Fail(part, "found '', expected: identifier");
        }

        if (part.StartsWith('!'))
        {
            return new Requirement(CheckKey(part[1..].Trim()), "!", []);
        }

        foreach (var op in new[] { " notin ", " in " })
        {
            var idx = part.IndexOf(op, StringComparison.Ordinal);
            if (idx > 0)
            {
                var key = CheckKey(part[..idx].Trim());
                var rest = part[(idx + op.Length)..].Trim();
                if (!rest.StartsWith('(') || !rest.EndsWith(')'))
                {
                    throw Fail(part, "found '" + rest + "', expected: '('");
                }

                var values = rest[1..^1].Split(',', StringSplitOptions.TrimEntries).Where(v => v.Length > 0).ToArray();
                return new Requirement(key, op.Trim(), values);
            }
        }

        foreach (var op in new[] { "!=", "==", "=", ">", "<" })
        {
            var idx = part.IndexOf(op, StringComparison.Ordinal);
            if (idx > 0)
            {
                var key = CheckKey(part[..idx].Trim());
                var value = part[(idx + op.Length)..].Trim();
                return new Requirement(key, op == "==" ? "=" : op, [value]);
            }
        }

        return new Requirement(CheckKey(part), "exists", []);
    }

    private static string CheckKey(string key)
    {
        if (key.Length == 0 || key.Any(c => char.IsWhiteSpace(c) || c is '(' or ')' or '=' or '!'))
        {
            throw Fail(key, $"invalid label key \"{key}\"");
        }

        return key;
    }

    private static ApiException Fail(string text, string why) =>
        ApiException.BadRequest($"unable to parse requirement: {why}" + (text.Length > 0 ? "" : ""));

    private sealed record Requirement(string Key, string Op, string[] Values)
    {
        public bool Matches(Dictionary<string, string> labels)
        {
            var has = labels.TryGetValue(Key, out var value);
            return Op switch
            {
                "exists" => has,
                "!" => !has,
                "=" => has && value == Values[0],
                "!=" => !has || value != Values[0],
                "in" => has && Values.Contains(value),
                "notin" => !has || !Values.Contains(value),
                ">" => has && long.TryParse(value, out var a) && long.TryParse(Values[0], out var b) && a > b,
                "<" => has && long.TryParse(value, out var c) && long.TryParse(Values[0], out var d) && c < d,
                _ => false,
            };
        }
    }
}
