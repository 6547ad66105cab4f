using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Crd;

/// <summary>Turns a CRD object into the resource types it serves, one per served version.</summary>
internal static class CrdTypeFactory
{
    public static List<ResourceType> Create(JsonObject crd, CustomResourceStrategy strategy)
    {
        var spec = JsonPaths.Obj(crd, "spec") ?? [];
        var names = JsonPaths.Obj(spec, "names") ?? [];
        var result = new List<ResourceType>();
        foreach (var version in (JsonPaths.Arr(spec, "versions") ?? []).OfType<JsonObject>())
        {
            if (JsonPaths.Bool(version, "served") == false)
            {
                continue;
            }

            var columns = (JsonPaths.Arr(version, "additionalPrinterColumns") ?? []).OfType<JsonObject>()
                .Select(c => new PrinterColumn(
                    JsonPaths.Str(c, "name") ?? "",
                    JsonPaths.Str(c, "type") ?? "string",
                    JsonPaths.Str(c, "format") ?? "",
                    JsonPaths.Str(c, "description") ?? "",
                    (int)(JsonPaths.Long(c, "priority") ?? 0),
                    JsonPaths.Str(c, "jsonPath") ?? ""))
                .ToList();
            var hasStatus = JsonPaths.Obj(version, "subresources", "status") is not null;
            result.Add(new ResourceType
            {
                Group = JsonPaths.Str(spec, "group") ?? "",
                Version = JsonPaths.Str(version, "name") ?? "",
                Plural = JsonPaths.Str(names, "plural") ?? "",
                Singular = JsonPaths.Str(names, "singular") ?? "",
                Kind = JsonPaths.Str(names, "kind") ?? "",
                Namespaced = JsonPaths.Str(spec, "scope") != "Cluster",
                ShortNames = Strings(names, "shortNames"),
                Categories = Strings(names, "categories"),
                HasStatus = hasStatus,
                ExtraSubresources = JsonPaths.Obj(version, "subresources", "scale") is not null ? ["scale"] : [],
                TracksGeneration = true,
                AllowUnconditionalUpdate = false,
                ReturnDeletedObject = true,
                IsCustom = true,
                Strategy = strategy,
                Custom = new CustomResourceVersion
                {
                    CrdName = JsonPaths.Name(crd),
                    Schema = JsonPaths.Obj(version, "schema", "openAPIV3Schema"),
                    Columns = columns,
                    StatusSubresource = hasStatus,
                    ScaleSubresource = JsonPaths.Obj(version, "subresources", "scale") is not null,
                },
            });
        }

        return result;
    }

    private static List<string> Strings(JsonObject names, string field) =>
        (JsonPaths.Arr(names, field) ?? []).Select(s => s?.GetValue<string>() ?? "").ToList();
}
