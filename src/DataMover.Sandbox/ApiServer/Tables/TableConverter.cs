using System.Globalization;
using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Tables;

/// <summary>Renders objects as a meta.k8s.io/v1 Table, as the server does for `kubectl get`.</summary>
internal static class TableConverter
{
    private const string NameDescription = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";

    public static JsonObject Convert(ResourceType type, IEnumerable<JsonObject> objects, string? resourceVersion, string? continueToken, string? includeObject, bool includeColumns = true)
    {
        var columns = ColumnsFor(type);
        var table = new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = new JsonObject(),
        };
        if (resourceVersion is not null)
        {
            table["metadata"]!["resourceVersion"] = resourceVersion;
        }

        if (!string.IsNullOrEmpty(continueToken))
        {
            table["metadata"]!["continue"] = continueToken;
        }

        if (includeColumns)
        {
            table["columnDefinitions"] = new JsonArray([.. columns.Select(c => (JsonNode)c.Definition())]);
        }

        var rows = new JsonArray();
        foreach (var obj in objects)
        {
            var cells = new JsonArray([.. columns.Select(c => c.Cell(obj))]);
            var row = new JsonObject { ["cells"] = cells };
            var rowObject = RowObject(obj, includeObject);
            if (rowObject is not null)
            {
                row["object"] = rowObject;
            }

            rows.Add(row);
        }

        table["rows"] = rows;
        return table;
    }

    private static JsonObject? RowObject(JsonObject obj, string? includeObject) => includeObject switch
    {
        "None" => null,
        "Object" => JsonPaths.Clone(obj),
        _ => new JsonObject
        {
            ["kind"] = "PartialObjectMetadata",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = obj["metadata"]?.DeepClone(),
        },
    };

    private static List<TableColumn> ColumnsFor(ResourceType type)
    {
        var columns = new List<TableColumn>
        {
            new("Name", "string", "name", NameDescription, 0, o => DisplayName(type, o)),
        };
        if (type.Custom is { } custom)
        {
            if (custom.Columns.Count == 0)
            {
                columns.Add(BuiltinColumns.Age());
            }

            columns.AddRange(custom.Columns.Select(c => new TableColumn(c.Name, c.Type, c.Format, c.Description, c.Priority, o => CustomCell(o, c.JsonPath, c.Type))));
            return columns;
        }

        if (BuiltinColumns.For(type.Key) is { } builtin)
        {
            if (type.Key == "/events")
            {
                // The event printer leads with LAST SEEN; NAME is a wide-only column at the end.
                columns.Clear();
            }
            else if (type.Key == "storage.k8s.io/storageclasses")
            {
                // The storage class printer marks the default class in the name cell.
                columns[0] = new("Name", "string", "name", NameDescription, 0, o =>
                    JsonPaths.Str(o, "metadata", "annotations", "storageclass.kubernetes.io/is-default-class") == "true"
                        ? $"{JsonPaths.Name(o)} (default)"
                        : JsonPaths.Name(o));
            }

            columns.AddRange(builtin);
        }
        else
        {
            // The default table convertor: NAME and CREATED AT (RFC 3339).
            columns.Add(new("Created At", "date", "", "CreationTimestamp is a timestamp representing the server time when this object was created.", 0, o => JsonPaths.Str(o, "metadata", "creationTimestamp")));
        }

        return columns;
    }

    /// <summary>The storage class printer marks the default class in the name cell.</summary>
    private static string DisplayName(ResourceType type, JsonObject obj)
    {
        var name = JsonPaths.Name(obj);
        if (type.Key == "storage.k8s.io/storageclasses"
            && (JsonPaths.Str(obj, "metadata", "annotations", "storageclass.kubernetes.io/is-default-class") == "true"
                || JsonPaths.Str(obj, "metadata", "annotations", "storageclass.beta.kubernetes.io/is-default-class") == "true"))
        {
            return name + " (default)";
        }

        return name;
    }

    /// <summary>cellForJSONValue: typed cells, dates rendered as ages, missing values as null.</summary>
    private static JsonNode? CustomCell(JsonObject obj, string path, string type)
    {
        var results = SimpleJsonPath.Evaluate(obj, path);
        if (results.Count == 0 || results[0] is null)
        {
            return null;
        }

        var value = results[0]!;
        switch (type)
        {
            case "string":
                return SimpleJsonPath.Render(value);
            case "integer":
                return value is JsonValue iv && JsonPaths.TryDouble(iv, out var i) ? JsonValue.Create((long)i) : null;
            case "number":
                return value is JsonValue nv && JsonPaths.TryDouble(nv, out var n) ? JsonValue.Create(n) : null;
            case "boolean":
                return value is JsonValue bv && bv.TryGetValue<bool>(out var b) ? JsonValue.Create(b) : null;
            case "date":
                if (value is JsonValue dv && dv.TryGetValue<string>(out var s))
                {
                    return DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _) ? HumanDuration.Since(s) : "<invalid>";
                }

                return null;
            default:
                return null;
        }
    }
}
