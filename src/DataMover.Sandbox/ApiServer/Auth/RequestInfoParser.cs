namespace DataMover.Sandbox.ApiServer.Auth;

/// <summary>
/// Derives authorization attributes from the URL alone, as k8s.io/apiserver's RequestInfoFactory does: before
/// routing, so an unknown resource is still authorized (403 before 404).
/// </summary>
internal static class RequestInfoParser
{
    private static readonly HashSet<string> NamespaceSubresources = new(StringComparer.Ordinal) { "status", "finalize" };

    public static RequestAttributes Parse(UserInfo user, string method, string path, IQueryCollection query)
    {
        var parts = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        var nonResource = new RequestAttributes { User = user, Verb = NonResourceVerb(method), Path = path };
        int start;
        string group;
        if (parts.Length >= 3 && parts[0] == "api")
        {
            start = 1;
            group = "";
        }
        else if (parts.Length >= 4 && parts[0] == "apis")
        {
            start = 2;
            group = parts[1];
        }
        else
        {
            return nonResource;
        }

        var version = parts[start];
        var rest = parts.AsSpan(start + 1);
        var verb = "";
        if (rest.Length > 0 && rest[0] == "watch")
        {
            verb = "watch";
            rest = rest[1..];
        }

        var ns = "";
        if (rest.Length > 0 && rest[0] == "namespaces" && rest.Length > 1)
        {
            ns = rest[1];
            if (rest.Length > 2 && !NamespaceSubresources.Contains(rest[2]))
            {
                rest = rest[2..];
            }
        }

        if (rest.Length == 0)
        {
            return nonResource;
        }

        var resource = rest[0];
        var name = rest.Length > 1 ? rest[1] : "";
        var subresource = rest.Length > 2 ? rest[2] : "";
        if (verb.Length == 0)
        {
            verb = method switch
            {
                "POST" => "create",
                "GET" or "HEAD" => "get",
                "PUT" => "update",
                "PATCH" => "patch",
                "DELETE" => "delete",
                _ => "",
            };
        }

        if (verb == "get" && name.Length == 0)
        {
            verb = query["watch"] is var w && (w == "true" || w == "1") ? "watch" : "list";

            // A list narrowed to one name is authorized as that name (RequestInfoFactory reads metadata.name=).
            name = ExactName(query["fieldSelector"]) ?? "";
        }

        if (verb == "delete" && name.Length == 0)
        {
            verb = "deletecollection";
        }

        return new RequestAttributes
        {
            User = user,
            Verb = verb,
            IsResourceRequest = true,
            Path = path,
            ApiGroup = group,
            ApiVersion = version,
            Resource = resource,
            Subresource = subresource,
            Namespace = ns,
            Name = name,
        };
    }

    private static string NonResourceVerb(string method) => method switch
    {
        "POST" => "post",
        "PUT" => "put",
        "PATCH" => "patch",
        "DELETE" => "delete",
        "HEAD" => "head",
        _ => "get",
    };

    private static string? ExactName(string? selector)
    {
        if (string.IsNullOrEmpty(selector))
        {
            return null;
        }

        foreach (var term in selector.Split(','))
        {
            var t = term.Trim();
            foreach (var prefix in new[] { "metadata.name==", "metadata.name=" })
            {
                if (t.StartsWith(prefix, StringComparison.Ordinal) && t.Length > prefix.Length && !t[prefix.Length..].Contains('/'))
                {
                    return t[prefix.Length..];
                }
            }
        }

        return null;
    }
}
