namespace DataMover.Sandbox.ApiServer.Http;

/// <summary>Maps /api/v1/... and /apis/group/version/... paths to a resource, namespace, name and verb.</summary>
internal sealed class RequestResolver
{
    private static readonly HashSet<string> NamespaceSubresources = new(StringComparer.Ordinal) { "status", "finalize" };
    private readonly ResourceRegistry _registry;

    public RequestResolver(ResourceRegistry registry) => _registry = registry;

    public ApiRequest Resolve(string method, string group, string version, string[] parts, bool watchParam)
    {
        var watch = false;
        if (parts.Length > 0 && parts[0] == "watch")
        {
            watch = true;
            parts = parts[1..];
        }

        string? ns = null;
        if (parts.Length > 1 && parts[0] == "namespaces" && (parts.Length == 2 || !NamespaceSubresources.Contains(parts[2])))
        {
            if (parts.Length > 2)
            {
                ns = parts[1];
                parts = parts[2..];
            }
        }

        if (parts.Length == 0)
        {
            throw ApiException.PathNotFound();
        }

        var type = _registry.Find(group, version, parts[0]) ?? throw ApiException.PathNotFound();
        var name = parts.Length > 1 ? parts[1] : null;
        var subresource = parts.Length > 2 ? string.Join('/', parts[2..]) : null;
        if (parts.Length > 3 || (subresource is not null && subresource != "status" && !type.ExtraSubresources.Contains(subresource)))
        {
            throw ApiException.PathNotFound();
        }

        if (subresource == "status" && !type.HasStatus)
        {
            throw ApiException.PathNotFound();
        }

        if (!type.Namespaced && ns is not null)
        {
            throw ApiException.PathNotFound();
        }

        var notAllowed = method switch
        {
            "PUT" or "PATCH" => name is null,
            "POST" => name is not null && subresource is null,
            "DELETE" => subresource is not null,
            _ => false,
        };
        if (notAllowed)
        {
            throw MethodNotAllowed();
        }

        var verb = method switch
        {
            "GET" when watch || watchParam => "watch",
            "GET" => name is null ? "list" : "get",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => name is null ? "deletecollection" : "delete",
            _ => throw MethodNotAllowed(),
        };
        return new ApiRequest(verb, type, ns, name, subresource);
    }

    private static ApiException MethodNotAllowed() =>
        new(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", new System.Text.Json.Nodes.JsonObject());
}
