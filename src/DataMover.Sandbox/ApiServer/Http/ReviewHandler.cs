using System.Text.Json.Nodes;
using DataMover.Sandbox.ApiServer.Auth;

namespace DataMover.Sandbox.ApiServer.Http;

/// <summary>
/// The review resources, answered from the authorizer and never stored: authorization.k8s.io/v1
/// SelfSubjectAccessReview, SubjectAccessReview, LocalSubjectAccessReview, SelfSubjectRulesReview, and
/// authentication.k8s.io/v1 SelfSubjectReview and TokenReview (`kubectl auth can-i`, `can-i --list`, `auth whoami`;
/// a metrics endpoint checking its callers as kube-rbac-proxy does).
/// </summary>
internal sealed class ReviewHandler
{
    private readonly RbacAuthorizer _authorizer;
    private readonly TokenAuthenticator _authenticator;

    public ReviewHandler(RbacAuthorizer authorizer, TokenAuthenticator authenticator)
    {
        _authorizer = authorizer;
        _authenticator = authenticator;
    }

    public async Task HandleAsync(HttpContext context, ApiRequest request)
    {
        var user = context.Items[ApiEndpoints.UserKey] as UserInfo ?? UserInfo.Anonymous;
        var body = await HttpIo.ReadObjectAsync(context.Request, request.Type, context.RequestAborted);
        body["apiVersion"] = request.Type.ApiVersion;
        body["kind"] = request.Type.Kind;
        var meta = JsonPaths.Ensure(body, "metadata");
        meta["creationTimestamp"] = null;
        var spec = body["spec"] as JsonObject ?? [];
        body["spec"] = spec;
        body["status"] = request.Type.Kind switch
        {
            "SelfSubjectAccessReview" => Access(request.Type, spec, user),
            "SubjectAccessReview" => Access(request.Type, spec, SubjectOf(request.Type, spec)),
            "LocalSubjectAccessReview" => Local(request, spec),
            "SelfSubjectRulesReview" => Rules(spec, user),
            "SelfSubjectReview" => new JsonObject { ["userInfo"] = UserInfoJson(user) },
            "TokenReview" => Token(request.Type, spec),
            _ => throw ApiException.MethodNotSupported(request.Type, "create"),
        };
        if (request.Type.Kind == "SelfSubjectReview")
        {
            body.Remove("spec");
        }

        await HttpIo.WriteJsonAsync(context, 201, body);
    }

    private JsonObject Local(ApiRequest request, JsonObject spec)
    {
        var ns = JsonPaths.Str(spec, "resourceAttributes", "namespace");
        if (ns != request.Namespace)
        {
            throw ApiException.BadRequest($"spec.resourceAttributes.namespace must match namespace: {request.Namespace}");
        }

        return Access(request.Type, spec, SubjectOf(request.Type, spec));
    }

    private JsonObject Access(ResourceType type, JsonObject spec, UserInfo user)
    {
        var resource = spec["resourceAttributes"] as JsonObject;
        var nonResource = spec["nonResourceAttributes"] as JsonObject;
        if ((resource is null) == (nonResource is null))
        {
            throw Invalid(type, resource is null ? "spec.resourceAttributes" : "spec.nonResourceAttributes", "exactly one of nonResourceAttributes or resourceAttributes must be specified");
        }

        var attributes = resource is not null
            ? new RequestAttributes
            {
                User = user, Verb = JsonPaths.Str(resource, "verb") ?? "", IsResourceRequest = true, ApiGroup = JsonPaths.Str(resource, "group") ?? "",
                ApiVersion = JsonPaths.Str(resource, "version") ?? "", Resource = JsonPaths.Str(resource, "resource") ?? "",
                Subresource = JsonPaths.Str(resource, "subresource") ?? "", Namespace = JsonPaths.Str(resource, "namespace") ?? "", Name = JsonPaths.Str(resource, "name") ?? "",
            }
            : new RequestAttributes { User = user, Verb = JsonPaths.Str(nonResource, "verb") ?? "", Path = JsonPaths.Str(nonResource, "path") ?? "" };
        var decision = _authorizer.Authorize(attributes);
        var status = new JsonObject { ["allowed"] = decision.Allowed };
        if (decision.Reason.Length > 0)
        {
            status["reason"] = decision.Reason;
        }

        return status;
    }

    private JsonObject Rules(JsonObject spec, UserInfo user)
    {
        var ns = JsonPaths.Str(spec, "namespace") ?? "";
        if (ns.Length == 0)
        {
            throw ApiException.BadRequest("no namespace on request");
        }

        var resourceRules = new JsonArray();
        var nonResourceRules = new JsonArray();
        if (user.IsPrivileged)
        {
            // The privileged-group authorizer answers rule reviews with everything, ahead of RBAC.
            resourceRules.Add(new PolicyRule(["*"], ["*"], ["*"], [], []).ToJson());
            nonResourceRules.Add(new PolicyRule(["*"], [], [], [], ["*"]).ToJson());
        }

        var (rules, errors) = _authorizer.RulesFor(user, ns);
        foreach (var rule in rules)
        {
            if (rule.Resources.Length > 0)
            {
                resourceRules.Add(new PolicyRule(rule.Verbs, rule.ApiGroups, rule.Resources, rule.ResourceNames, []).ToJson());
            }

            if (rule.NonResourceUrls.Length > 0)
            {
                nonResourceRules.Add(new PolicyRule(rule.Verbs, [], [], [], rule.NonResourceUrls).ToJson());
            }
        }

        var status = new JsonObject { ["resourceRules"] = resourceRules, ["nonResourceRules"] = nonResourceRules, ["incomplete"] = false };
        if (errors.Count > 0)
        {
            status["evaluationError"] = errors.Count == 1 ? errors[0] : "[" + string.Join(", ", errors) + "]";
        }

        return status;
    }

    private static UserInfo SubjectOf(ResourceType type, JsonObject spec)
    {
        var name = JsonPaths.Str(spec, "user") ?? "";
        var groups = JsonPaths.Arr(spec, "groups")?.Select(g => g?.GetValue<string>() ?? "").ToList() ?? [];
        if (name.Length == 0 && groups.Count == 0)
        {
            throw Invalid(type, "spec.user", "at least one of user or group must be specified");
        }

        return new UserInfo(name, groups, JsonPaths.Str(spec, "uid"));
    }

    /// <summary>
    /// As kube-apiserver: an empty token is invalid; a token nobody knows is answered, not refused, with
    /// authenticated unset and an empty user; the requested audiences are echoed on success.
    /// </summary>
    private JsonObject Token(ResourceType type, JsonObject spec)
    {
        var token = JsonPaths.Str(spec, "token") ?? "";
        if (token.Length == 0)
        {
            throw Invalid(type, "spec.token", "token must not be empty");
        }

        if (_authenticator.Authenticate(token) is not { } user)
        {
            return new JsonObject { ["user"] = new JsonObject() };
        }

        var status = new JsonObject { ["authenticated"] = true, ["user"] = UserInfoJson(user) };
        if (JsonPaths.Arr(spec, "audiences") is { Count: > 0 } audiences)
        {
            status["audiences"] = audiences.DeepClone();
        }

        return status;
    }

    private static JsonObject UserInfoJson(UserInfo user)
    {
        var info = new JsonObject { ["username"] = user.Name };
        if (user.Uid is { Length: > 0 } uid)
        {
            info["uid"] = uid;
        }

        info["groups"] = JsonPaths.StringArray(user.Groups);
        return info;
    }

    private static ApiException Invalid(ResourceType type, string field, string detail) =>
        ApiException.Invalid(type, "", [FieldError.InvalidRaw(field, "\"\"", detail)]);
}
