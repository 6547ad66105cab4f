using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Http;

/// <summary>
/// A minimal /openapi/v3: per group/version documents listing each resource's paths with the
/// x-kubernetes-group-version-kind extension and the query parameters the server supports.
/// kubectl reads it to learn that fieldValidation is server-side (so it sends
/// fieldValidation=Strict instead of validating client-side), and kubectl explain reads the
/// custom resources' schemas from components.schemas, published as the apiextensions server does
/// (named by the reverse-DNS group, version and kind, tagged with x-kubernetes-group-version-kind).
/// Built-in kinds publish no schema, and strategic-merge-patch is deliberately not advertised so
/// kubectl computes strategic patches from its compiled-in types. /openapi/v2 is absent (404), as
/// kubectl 1.32 only falls back to it.
/// </summary>
internal sealed class OpenApiDocuments
{
    private static readonly string[] QueryParameters = ["dryRun", "fieldManager", "fieldValidation", "force", "pretty"];
    private readonly ResourceRegistry _registry;

    public OpenApiDocuments(ResourceRegistry registry) => _registry = registry;

    public Task WriteV2Async(HttpContext context) => HttpIo.WriteErrorAsync(context, ApiException.PathNotFound());

    public Task WriteV3RootAsync(HttpContext context)
    {
        var paths = new JsonObject();
        foreach (var gv in _registry.All.Select(t => (t.Group, t.Version)).Distinct().OrderBy(g => g.Group, StringComparer.Ordinal))
        {
            var key = gv.Group.Length == 0 ? $"api/{gv.Version}" : $"apis/{gv.Group}/{gv.Version}";
            var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Document(gv.Group, gv.Version).ToJsonString())));
            paths[key] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{key}?hash={hash}" };
        }

        return HttpIo.WriteJsonAsync(context, 200, new JsonObject { ["paths"] = paths });
    }

    public Task WriteV3Async(HttpContext context, string path)
    {
        var parts = path.Trim('/').Split('/');
        (string Group, string Version)? gv = parts switch
        {
            ["api", var v] => ("", v),
            ["apis", var g, var v] => (g, v),
            _ => null,
        };
        if (gv is null || !_registry.All.Any(t => t.Group == gv.Value.Group && t.Version == gv.Value.Version))
        {
            return HttpIo.WriteErrorAsync(context, ApiException.PathNotFound());
        }

        return HttpIo.WriteJsonAsync(context, 200, Document(gv.Value.Group, gv.Value.Version));
    }

    private JsonObject Document(string group, string version)
    {
        var paths = new JsonObject();
        var schemas = new JsonObject();
        foreach (var type in _registry.All.Where(t => t.Group == group && t.Version == version).OrderBy(t => t.Plural, StringComparer.Ordinal))
        {
            if (type.Custom?.Schema is { } schema)
            {
                schemas[CustomResourceSchemas.ModelName(type)] = CustomResourceSchemas.Published(type, schema);
            }

            var prefix = group.Length == 0 ? $"/api/{version}" : $"/apis/{group}/{version}";
            var collection = type.Namespaced ? $"{prefix}/namespaces/{{namespace}}/{type.Plural}" : $"{prefix}/{type.Plural}";
            paths[collection] = PathItem(type, false, "post");
            paths[collection + "/{name}"] = PathItem(type, true, "patch");
            if (type.HasStatus)
            {
                paths[collection + "/{name}/status"] = PathItem(type, true, "patch");
            }
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.32.0" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = schemas },
        };
    }

    private static JsonObject PathItem(ResourceType type, bool item, string writeVerb)
    {
        var gvk = new JsonObject { ["group"] = type.Group, ["version"] = type.Version, ["kind"] = type.Kind };
        var parameters = new JsonArray();
        if (item)
        {
            parameters.Add(Parameter("name", "path", true));
        }

        if (type.Namespaced)
        {
            parameters.Add(Parameter("namespace", "path", true));
        }

        // kubectl looks for query parameters on the operation itself, not the path item.
        var queryParameters = new JsonArray();
        foreach (var q in QueryParameters)
        {
            queryParameters.Add(Parameter(q, "query", false));
        }

        var content = new JsonObject();
        foreach (var mediaType in writeVerb == "patch"
            ? new[] { "application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml" }
            : ["application/json", "application/yaml"])
        {
            content[mediaType] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "object" } };
        }

        var operation = new JsonObject
        {
            ["description"] = $"{writeVerb} the specified {type.Kind}",
            ["operationId"] = writeVerb + type.Kind,
            ["parameters"] = queryParameters,
            ["requestBody"] = new JsonObject { ["content"] = content, ["required"] = true },
            ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
            ["x-kubernetes-action"] = writeVerb,
            ["x-kubernetes-group-version-kind"] = gvk,
        };
        return new JsonObject { [writeVerb] = operation, ["parameters"] = parameters };
    }

    private static JsonObject Parameter(string name, string location, bool required) => new()
    {
        ["name"] = name,
        ["in"] = location,
        ["required"] = required,
        ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true },
    };
}
