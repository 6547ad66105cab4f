using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Auth;

/// <summary>
/// The 403 an authorizer denial produces: responsewriters.Forbidden's forbiddenMessage wrapped by
/// apierrors.NewForbidden (`pods "x" is forbidden: User "u" cannot get resource "pods" in API group "" in the
/// namespace "ns"`).
/// </summary>
internal static class Forbidden
{
    public static ApiException For(RequestAttributes a, string reason)
    {
        string message;
        if (!a.IsResourceRequest)
        {
            message = $"User \"{a.User.Name}\" cannot {a.Verb} path \"{a.Path}\"";
        }
        else if (a.Namespace.Length > 0)
        {
            message = $"User \"{a.User.Name}\" cannot {a.Verb} resource \"{a.CombinedResource}\" in API group \"{a.ApiGroup}\" in the namespace \"{a.Namespace}\"";
        }
        else
        {
            message = $"User \"{a.User.Name}\" cannot {a.Verb} resource \"{a.CombinedResource}\" in API group \"{a.ApiGroup}\" at the cluster scope";
        }

        if (reason.Length > 0)
        {
            message += ": " + reason;
        }

        return Of(a.ApiGroup, a.Resource, a.Name, message);
    }

    /// <summary>apierrors.NewForbidden(groupResource, name, err).</summary>
    public static ApiException Of(string group, string resource, string name, string why)
    {
        var details = new JsonObject();
        if (name.Length > 0)
        {
            details["name"] = name;
        }

        if (group.Length > 0)
        {
            details["group"] = group;
        }

        if (resource.Length > 0)
        {
            details["kind"] = resource;
        }

        var qualified = group.Length == 0 ? resource : resource + "." + group;
        var message = qualified.Length == 0 ? "forbidden: " + why
            : name.Length == 0 ? $"{qualified} is forbidden: {why}"
            : $"{qualified} \"{name}\" is forbidden: {why}";
        return new ApiException(403, "Forbidden", message, details);
    }
}
