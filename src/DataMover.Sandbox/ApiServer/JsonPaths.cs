using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer;

/// <summary>Small helpers for reading and writing stored objects, which are plain JSON trees.</summary>
internal static class JsonPaths
{
    public static JsonObject? Obj(JsonNode? node, params string[] path)
    {
        var current = node;
        foreach (var segment in path)
        {
            current = (current as JsonObject)?[segment];
        }

        return current as JsonObject;
    }

    public static JsonArray? Arr(JsonNode? node, params string[] path)
    {
        var current = node;
        foreach (var segment in path)
        {
            current = (current as JsonObject)?[segment];
        }

        return current as JsonArray;
    }

    public static JsonNode? Node(JsonNode? node, params string[] path)
    {
        var current = node;
        foreach (var segment in path)
        {
            current = (current as JsonObject)?[segment];
        }

        return current;
    }

    public static string? Str(JsonNode? node, params string[] path)
    {
        var value = Node(node, path);
        return value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
    }

    public static long? Long(JsonNode? node, params string[] path) =>
        Node(node, path) is JsonValue v && TryLong(v, out var l) ? l : null;

    /// <summary>Reads an integral number whatever CLR type backs the value (parsed JSON or a C# int/long).</summary>
    public static bool TryLong(JsonValue v, out long value)
    {
        value = 0;
        if (v.GetValueKind() != JsonValueKind.Number)
        {
            return false;
        }

        if (v.TryGetValue(out value))
        {
            return true;
        }

        if (v.TryGetValue<int>(out var i))
        {
            value = i;
            return true;
        }

        return long.TryParse(v.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    public static bool TryDouble(JsonValue v, out double value)
    {
        value = 0;
        return v.GetValueKind() == JsonValueKind.Number
            && double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    public static bool? Bool(JsonNode? node, params string[] path)
    {
        var value = Node(node, path);
        return value is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? v.GetValue<bool>() : null;
    }

    /// <summary>Returns the child object, creating it (or replacing a non-object) when absent.</summary>
    public static JsonObject Ensure(JsonObject parent, string name)
    {
        if (parent[name] is JsonObject existing)
        {
            return existing;
        }

        var created = new JsonObject();
        parent[name] = created;
        return created;
    }

    public static void SetDefault(JsonObject parent, string name, JsonNode value)
    {
        if (parent[name] is null)
        {
            parent[name] = value;
        }
    }

    public static JsonObject Meta(JsonObject obj) => Ensure(obj, "metadata");

    public static string Name(JsonObject obj) => Str(obj, "metadata", "name") ?? "";

    public static string? Namespace(JsonObject obj) => Str(obj, "metadata", "namespace");

    public static string Uid(JsonObject obj) => Str(obj, "metadata", "uid") ?? "";

    public static long ResourceVersion(JsonObject obj) =>
        long.TryParse(Str(obj, "metadata", "resourceVersion"), NumberStyles.None, CultureInfo.InvariantCulture, out var rv) ? rv : 0;

    public static bool IsDeleting(JsonObject obj) => Str(obj, "metadata", "deletionTimestamp") is not null;

    public static List<string> Finalizers(JsonObject obj) =>
        Arr(obj, "metadata", "finalizers")?.Select(f => f?.GetValue<string>() ?? "").ToList() ?? [];

    public static void SetFinalizers(JsonObject obj, List<string> finalizers)
    {
        var meta = Meta(obj);
        if (finalizers.Count == 0)
        {
            meta.Remove("finalizers");
        }
        else
        {
            meta["finalizers"] = new JsonArray([.. finalizers.Select(f => (JsonNode?)JsonValue.Create(f))]);
        }
    }

    public static Dictionary<string, string> StringMap(JsonNode? node)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is JsonObject o)
        {
            foreach (var (k, v) in o)
            {
                result[k] = v is JsonValue jv && jv.GetValueKind() == JsonValueKind.String ? jv.GetValue<string>() : v?.ToJsonString() ?? "";
            }
        }

        return result;
    }

    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Now() => Timestamp(DateTimeOffset.UtcNow);

    public static string MicroTimestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    public static JsonArray StringArray(IEnumerable<string> values) =>
        new([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);

    public static JsonObject Clone(JsonObject obj) => (JsonObject)obj.DeepClone();

    /// <summary>Renders a value the way Go's %v/%q would in validation messages.</summary>
    public static string Describe(JsonNode? value) => value switch
    {
        null => "null",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => Quote(v.GetValue<string>()),
        JsonValue v => v.ToJsonString(),
        JsonObject => "\"object\"",
        JsonArray => "\"array\"",
        _ => value.ToJsonString(),
    };

    /// <summary>Go's strconv.Quote for the common cases: backslash-escapes quotes, backslashes and control characters.</summary>
    public static string Quote(string s)
    {
        var sb = new System.Text.StringBuilder(s.Length + 2).Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                case < ' ':
                    sb.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }

        return sb.Append('"').ToString();
    }

    public static string TypeName(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.Number => TryLong(v, out _) ? "integer" : "number",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            _ => "null",
        },
        _ => "unknown",
    };
}
