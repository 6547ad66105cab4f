using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Crd;

/// <summary>
/// The uniqueness rule of x-kubernetes-list-type: map, as apiextensions' listtype validation applies it:
/// the items' key fields (x-kubernetes-list-map-keys) identify them, an item missing a key counts as an
/// unspecified key, and the second item with a key already seen is reported (once per key) as a
/// Duplicate of that key, rendered as Go renders a map[string]interface{}.
/// </summary>
internal static class ListMapKeys
{
    public static void Check(JsonArray items, JsonObject schema, string path, List<FieldError> errors)
    {
        if (JsonPaths.Str(schema, "x-kubernetes-list-type") != "map" || items.Count <= 1)
        {
            return;
        }

        var keyFields = (schema["x-kubernetes-list-map-keys"] as JsonArray ?? []).Select(k => k?.GetValue<string>() ?? "").ToList();
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is not null and not JsonObject)
            {
                errors.Add(FieldError.Invalid($"{path}[{i}]", items[i], "must be an object for an array of list-type map"));
                return;
            }
        }

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i] as JsonObject;
            var present = keyFields.Where(k => item?.ContainsKey(k) == true).ToList();
            var identity = string.Join('\u0000', present.Select(k => k + "=" + (item![k]?.ToJsonString() ?? "null")));
            seen[identity] = seen.GetValueOrDefault(identity) + 1;
            if (seen[identity] == 2)
            {
                errors.Add(new FieldError("FieldValueDuplicate", $"{path}[{i}]", GoMap(present.Select(k => (k, item![k]))), ""));
            }
        }
    }

    // Go's %#v of a map[string]interface{}: keys sorted, strings quoted, numbers bare.
    private static string GoMap(IEnumerable<(string Key, JsonNode? Value)> entries) =>
        "map[string]interface {}{" + string.Join(", ", entries.OrderBy(e => e.Key, StringComparer.Ordinal)
            .Select(e => $"{JsonPaths.Quote(e.Key)}:{JsonPaths.Describe(e.Value)}")) + "}";
}
