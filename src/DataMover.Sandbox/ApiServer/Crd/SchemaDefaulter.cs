using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Crd;

/// <summary>Applies `default` values from a structural schema (on write and on read, as apiextensions does).</summary>
internal static class SchemaDefaulter
{
    public static void Apply(JsonNode? value, JsonObject schema)
    {
        switch (value)
        {
            case JsonObject obj:
                var properties = schema["properties"] as JsonObject;
                if (properties is not null)
                {
                    foreach (var (key, propSchema) in properties)
                    {
                        if (propSchema is not JsonObject ps || ps["default"] is not { } defaultValue)
                        {
                            continue;
                        }

                        var present = obj.TryGetPropertyValue(key, out var existing);
                        if (!present || (existing is null && JsonPaths.Bool(ps, "nullable") != true))
                        {
                            obj[key] = defaultValue.DeepClone();
                        }
                    }

                    foreach (var (key, child) in obj.ToList())
                    {
                        if (properties[key] is JsonObject childSchema)
                        {
                            Apply(child, childSchema);
                        }
                    }
                }
                else if (schema["additionalProperties"] is JsonObject additional)
                {
                    foreach (var (_, child) in obj.ToList())
                    {
                        Apply(child, additional);
                    }
                }

                break;
            case JsonArray arr when schema["items"] is JsonObject items:
                foreach (var item in arr)
                {
                    Apply(item, items);
                }

                break;
        }
    }
}
