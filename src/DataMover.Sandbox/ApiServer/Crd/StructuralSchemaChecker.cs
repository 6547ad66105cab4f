using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Crd;

/// <summary>
/// The apiextensions v1 requirement that schemas be structural (and the other schema rules the
/// real server enforces), so a CRD the real cluster would refuse is refused here too.
/// </summary>
internal static class StructuralSchemaChecker
{
    private static readonly string[] ForbiddenKeywords = ["$ref", "additionalItems", "patternProperties", "dependencies", "definitions", "id", "$schema"];
    private static readonly string[] ColumnTypes = ["integer", "number", "string", "boolean", "date"];
    private static readonly string[] KnownTypes = ["object", "array", "string", "integer", "number", "boolean"];

    public static void Check(JsonObject schema, string path, List<FieldError> errors)
    {
        Node(schema, path, errors, isRoot: true, context: "");
        if (JsonPaths.Obj(schema, "properties", "metadata") is { } metadata)
        {
            var metaPath = $"{path}.properties[metadata]";
            if (JsonPaths.Str(metadata, "type") is { } t && t != "object")
            {
                errors.Add(FieldError.Invalid($"{metaPath}.type", metadata["type"], "must be object"));
            }

            foreach (var (key, _) in JsonPaths.Obj(metadata, "properties") ?? [])
            {
                if (key is not ("name" or "generateName"))
                {
                    errors.Add(FieldError.Forbidden($"{metaPath}.properties[{key}]", "must not be specified"));
                }
            }
        }
    }

    public static void CheckColumns(JsonArray? columns, string path, List<FieldError> errors)
    {
        for (var i = 0; i < (columns?.Count ?? 0); i++)
        {
            var column = columns![i] as JsonObject;
            var type = JsonPaths.Str(column, "type");
            if (string.IsNullOrEmpty(JsonPaths.Str(column, "name")))
            {
                errors.Add(FieldError.Required($"{path}[{i}].name"));
            }

            if (type is null)
            {
                errors.Add(FieldError.Required($"{path}[{i}].type"));
            }
            else if (!ColumnTypes.Contains(type))
            {
                errors.Add(FieldError.NotSupported($"{path}[{i}].type", JsonValue.Create(type), ColumnTypes));
            }

            var jsonPath = JsonPaths.Str(column, "jsonPath");
            if (string.IsNullOrEmpty(jsonPath))
            {
                errors.Add(FieldError.Required($"{path}[{i}].jsonPath"));
            }
            else if (!jsonPath.StartsWith('.'))
            {
                errors.Add(FieldError.Invalid($"{path}[{i}].jsonPath", JsonValue.Create(jsonPath), "must be a simple json path starting with ."));
            }
        }
    }

    private static void Node(JsonObject schema, string path, List<FieldError> errors, bool isRoot, string context)
    {
        foreach (var keyword in ForbiddenKeywords)
        {
            if (schema.ContainsKey(keyword))
            {
                errors.Add(FieldError.Forbidden($"{path}.{keyword}", $"{keyword} is not supported"));
            }
        }

        if (JsonPaths.Bool(schema, "uniqueItems") == true)
        {
            errors.Add(FieldError.Forbidden($"{path}.uniqueItems", "uniqueItems cannot be set to true since the runtime complexity becomes quadratic"));
        }

        var type = JsonPaths.Str(schema, "type");
        var intOrString = JsonPaths.Bool(schema, "x-kubernetes-int-or-string") == true;
        var preserve = JsonPaths.Bool(schema, "x-kubernetes-preserve-unknown-fields") == true;
        if (type is null && !intOrString && !preserve && !isRoot)
        {
            errors.Add(FieldError.Required($"{path}.type", $"must not be empty for specified {context} fields"));
        }
        else if (type is not null && !KnownTypes.Contains(type))
        {
            errors.Add(FieldError.NotSupported($"{path}.type", JsonValue.Create(type), KnownTypes));
        }

        if (schema["properties"] is JsonObject && schema["additionalProperties"] is JsonObject)
        {
            errors.Add(FieldError.Forbidden($"{path}.additionalProperties", "additionalProperties and properties are mutual exclusive"));
        }

        if (type == "array" && schema["items"] is null)
        {
            errors.Add(FieldError.Required($"{path}.items", "must be specified"));
        }

        foreach (var (key, child) in JsonPaths.Obj(schema, "properties") ?? [])
        {
            if (child is JsonObject childSchema)
            {
                Node(childSchema, $"{path}.properties[{key}]", errors, false, "object");
            }
        }

        if (schema["items"] is JsonObject items)
        {
            Node(items, $"{path}.items", errors, false, "array item");
        }

        if (schema["additionalProperties"] is JsonObject additional)
        {
            Node(additional, $"{path}.additionalProperties", errors, false, "object");
        }
    }
}
