using System.Globalization;
using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Patching;

/// <summary>RFC 6902 JSON patch (add, remove, replace, move, copy, test).</summary>
internal static class JsonPatcher
{
    public static JsonNode Apply(JsonNode target, JsonArray operations)
    {
        var doc = target.DeepClone();
        foreach (var op in operations.OfType<JsonObject>())
        {
            var kind = JsonPaths.Str(op, "op") ?? "";
            var path = JsonPaths.Str(op, "path") ?? throw Fail($"missing path in {kind} operation");
            switch (kind)
            {
                case "add":
                    doc = Add(doc, path, op["value"]?.DeepClone());
                    break;
                case "remove":
                    Remove(doc, path);
                    break;
                case "replace":
                    Remove(doc, path);
                    doc = Add(doc, path, op["value"]?.DeepClone());
                    break;
                case "move":
                    var from = JsonPaths.Str(op, "from") ?? throw Fail("missing from in move operation");
                    var moved = Get(doc, from)?.DeepClone();
                    Remove(doc, from);
                    doc = Add(doc, path, moved);
                    break;
                case "copy":
                    var source = JsonPaths.Str(op, "from") ?? throw Fail("missing from in copy operation");
                    doc = Add(doc, path, Get(doc, source)?.DeepClone());
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Get(doc, path), op["value"]))
                    {
                        throw Fail($"testing value {path} failed");
                    }

                    break;
                default:
                    throw Fail($"Unexpected kind: {kind}");
            }
        }

        return doc;
    }

    private static ApiException Fail(string message) => new(422, "Invalid", message);

    private static string[] Split(string path) =>
        path.Length == 0 ? [] : path[1..].Split('/').Select(p => p.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();

    private static JsonNode? Get(JsonNode doc, string path)
    {
        JsonNode? current = doc;
        foreach (var part in Split(path))
        {
            current = current switch
            {
                JsonObject o when o.ContainsKey(part) => o[part],
                JsonArray a when int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
                _ => throw Fail($"doc is missing path: \"{path}\": missing value"),
            };
        }

        return current;
    }

    private static JsonNode Add(JsonNode doc, string path, JsonNode? value)
    {
        var parts = Split(path);
        if (parts.Length == 0)
        {
            return value ?? throw Fail("cannot replace the document with null");
        }

        var parent = Get(doc, "/" + string.Join('/', parts[..^1].Select(p => p.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal))));
        var last = parts[^1];
        switch (parent)
        {
            case JsonObject o:
                o.Remove(last);
                o[last] = value;
                break;
            case JsonArray a when last == "-":
                a.Add(value);
                break;
            case JsonArray a when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i <= a.Count:
                a.Insert(i, value);
                break;
            default:
                throw Fail($"doc is missing path: \"{path}\": missing value");
        }

        return doc;
    }

    private static void Remove(JsonNode doc, string path)
    {
        var parts = Split(path);
        var parent = Get(doc, "/" + string.Join('/', parts[..^1].Select(p => p.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal))));
        var last = parts[^1];
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(last):
                o.Remove(last);
                break;
            case JsonArray a when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count:
                a.RemoveAt(i);
                break;
            default:
                throw Fail($"doc is missing path: \"{path}\": missing value");
        }
    }
}
