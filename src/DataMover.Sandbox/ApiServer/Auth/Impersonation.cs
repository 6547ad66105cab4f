
namespace DataMover.Sandbox.ApiServer.Auth;

/// <summary>
/// The impersonation filter (k8s.io/apiserver/pkg/endpoints/filters/impersonation.go): Impersonate-User and
/// Impersonate-Group are each authorized with the impersonate verb (users, serviceaccounts, groups) before the
/// request runs as the impersonated user.
/// </summary>
internal static class Impersonation
{
    public static bool Requested(HttpRequest request) =>
        request.Headers.ContainsKey("Impersonate-User") || request.Headers.ContainsKey("Impersonate-Group") || request.Headers.ContainsKey("Impersonate-Uid");

    public static UserInfo Apply(HttpRequest request, UserInfo requester, RbacAuthorizer authorizer)
    {
        var userName = request.Headers["Impersonate-User"].ToString();
        var groups = request.Headers["Impersonate-Group"].Where(g => !string.IsNullOrEmpty(g)).Select(g => g!).ToList();
        if (userName.Length == 0)
        {
            var requested = string.Join(" ", groups.Select(g => "{Group  " + g + "  }"));
            throw new ApiException(500, "InternalError", $"Internal error occurred: requested [{requested}] without impersonating a user");
        }

        var groupsSpecified = groups.Count > 0;
        RequestAttributes target;
        if (UserInfo.TrySplitServiceAccount(userName, out var ns, out var name))
        {
            target = new RequestAttributes { User = requester, Verb = "impersonate", IsResourceRequest = true, Resource = "serviceaccounts", Namespace = ns, Name = name, ApiVersion = "v1" };
            if (!groupsSpecified)
            {
                groups = ["system:serviceaccounts", "system:serviceaccounts:" + ns];
            }
        }
        else
        {
            target = new RequestAttributes { User = requester, Verb = "impersonate", IsResourceRequest = true, Resource = "users", Name = userName, ApiVersion = "v1" };
        }

        Check(authorizer, target);
        foreach (var group in request.Headers["Impersonate-Group"])
        {
            if (!string.IsNullOrEmpty(group))
            {
                Check(authorizer, new RequestAttributes { User = requester, Verb = "impersonate", IsResourceRequest = true, Resource = "groups", Name = group, ApiVersion = "v1" });
            }
        }

        if (userName != UserInfo.Anonymous.Name)
        {
            if (!groups.Contains(UserInfo.Authenticated) && !groups.Contains(UserInfo.Unauthenticated))
            {
                groups.Add(UserInfo.Authenticated);
            }
        }
        else if (!groups.Contains(UserInfo.Unauthenticated))
        {
            groups.Add(UserInfo.Unauthenticated);
        }

        var uid = request.Headers["Impersonate-Uid"].ToString();
        return new UserInfo(userName, groups, uid.Length > 0 ? uid : null);
    }

    private static void Check(RbacAuthorizer authorizer, RequestAttributes attributes)
    {
        var decision = authorizer.Authorize(attributes);
        if (!decision.Allowed)
        {
            throw Forbidden.For(attributes, decision.Reason);
        }
    }
}
