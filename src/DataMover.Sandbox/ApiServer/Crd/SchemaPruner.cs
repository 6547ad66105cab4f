using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Crd;

/// <summary>Drops fields the structural schema does not declare (unless x-kubernetes-preserve-unknown-fields), reporting their paths.</summary>
internal static class SchemaPruner
{
    public static List<string> Prune(JsonObject obj, JsonObject schema)
    {
        var pruned = new List<string>();
        var properties = schema["properties"] as JsonObject;
        foreach (var (key, value) in obj.ToList())
        {
            if (key is "apiVersion" or "kind" or "metadata")
            {
                continue;
            }

            if (properties?[key] is JsonObject propSchema)
            {
                PruneNode(value, propSchema, key, pruned);
            }
            else if (JsonPaths.Bool(schema, "x-kubernetes-preserve-unknown-fields") != true)
            {
                obj.Remove(key);
                pruned.Add(key);
            }
        }

        return pruned;
    }

    private static void PruneNode(JsonNode? value, JsonObject schema, string path, List<string> pruned)
    {
        var preserve = JsonPaths.Bool(schema, "x-kubernetes-preserve-unknown-fields") == true;
        switch (value)
        {
            case JsonObject obj:
                if (JsonPaths.Bool(schema, "x-kubernetes-embedded-resource") == true)
                {
                    return;
                }

                var properties = schema["properties"] as JsonObject;
                var additional = schema["additionalProperties"];
                foreach (var (key, child) in obj.ToList())
                {
                    if (properties?[key] is JsonObject propSchema)
                    {
                        PruneNode(child, propSchema, $"{path}.{key}", pruned);
                    }
                    else if (additional is JsonObject additionalSchema)
                    {
                        PruneNode(child, additionalSchema, $"{path}.{key}", pruned);
                    }
                    else if (additional is JsonValue av && av.GetValueKind() == System.Text.Json.JsonValueKind.True)
                    {
                        continue;
                    }
                    else if (!preserve)
                    {
                        obj.Remove(key);
                        pruned.Add($"{path}.{key}");
                    }
                }

                break;
            case JsonArray arr when schema["items"] is JsonObject items:
                for (var i = 0; i < arr.Count; i++)
                {
                    PruneNode(arr[i], items, $"{path}[{i}]", pruned);
                }

                break;
        }
    }
}
