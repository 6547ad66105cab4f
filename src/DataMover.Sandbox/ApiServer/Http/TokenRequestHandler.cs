using System.Globalization;
using System.Text.Json.Nodes;
using DataMover.Sandbox.ApiServer.Auth;

namespace DataMover.Sandbox.ApiServer.Http;

/// <summary>
/// serviceaccounts/&lt;name&gt;/token (TokenRequest, pkg/registry/core/serviceaccount/storage/token.go): mints a bound
/// token for an existing ServiceAccount, for spec.audiences (default: the API server's) and
/// spec.expirationSeconds (default 3600, at least 600), optionally bound to a pod or secret by uid.
/// </summary>
internal sealed class TokenRequestHandler
{
    private const long DefaultExpirationSeconds = 3600;
    private const long MinExpirationSeconds = 600;
    private readonly ObjectService _objects;
    private readonly ServiceAccountTokens _tokens;

    public TokenRequestHandler(ObjectService objects, ServiceAccountTokens tokens)
    {
        _objects = objects;
        _tokens = tokens;
    }

    public async Task HandleAsync(HttpContext context, ApiRequest request)
    {
        var ns = request.Namespace!;
        var name = request.Name!;
        var body = await HttpIo.ReadObjectAsync(context.Request, "TokenRequest", "authentication.k8s.io/v1", context.RequestAborted);
        var spec = body["spec"] as JsonObject ?? [];
        var expiration = JsonPaths.Long(spec, "expirationSeconds") ?? DefaultExpirationSeconds;
        if (expiration < MinExpirationSeconds)
        {
            throw Invalid(name, "spec.expirationSeconds", expiration.ToString(CultureInfo.InvariantCulture), "may not specify a duration less than 10 minutes");
        }

        if (expiration > uint.MaxValue)
        {
            throw Invalid(name, "spec.expirationSeconds", expiration.ToString(CultureInfo.InvariantCulture), "may not specify a duration larger than 2^32 seconds");
        }

        var audiences = JsonPaths.Arr(spec, "audiences")?.Select(a => a?.GetValue<string>() ?? "").Where(a => a.Length > 0).ToList() ?? [];
        if (audiences.Count == 0)
        {
            audiences = [ServiceAccountTokens.Issuer];
        }

        var sa = _objects.Get(request.Type, ns, name) ?? throw ApiException.NotFound(request.Type, name);
        (string Name, string Uid)? pod = null;
        if (spec["boundObjectRef"] is JsonObject bound)
        {
            var kind = JsonPaths.Str(bound, "kind");
            var boundName = JsonPaths.Str(bound, "name") ?? "";
            var resource = kind switch
            {
                "Pod" => "pods",
                "Secret" => "secrets",
                _ => throw new ApiException(422, "Invalid", $"TokenRequest.authentication.k8s.io \"{name}\" is invalid: spec.boundObjectRef.kind: Unsupported value: \"{kind}\": supported values: \"Pod\", \"Secret\""),
            };
            var type = new ResourceType { Group = "", Version = "v1", Plural = resource, Singular = resource[..^1], Kind = kind, Namespaced = true, Strategy = ResourceStrategy.Plain };
            var target = _objects.Get(type, ns, boundName) ?? throw ApiException.NotFound(type, boundName);
            var uid = JsonPaths.Str(bound, "uid");
            if (!string.IsNullOrEmpty(uid) && uid != JsonPaths.Uid(target))
            {
                throw new ApiException(409, "Conflict", $"Operation cannot be fulfilled on {resource} \"{boundName}\": the UID in the bound object reference ({uid}) does not match the UID in record. The object might have been deleted and then recreated");
            }

            bound["uid"] = JsonPaths.Uid(target);
            if (kind == "Pod")
            {
                pod = (boundName, JsonPaths.Uid(target));
            }
        }

        var expires = _tokens.Now.AddSeconds(expiration);
        var token = _tokens.Issue(ns, name, JsonPaths.Uid(sa), audiences, expires, pod);
        spec["audiences"] = JsonPaths.StringArray(audiences);
        spec["expirationSeconds"] = expiration;
        if (!spec.ContainsKey("boundObjectRef"))
        {
            spec["boundObjectRef"] = null;
        }

        var response = new JsonObject
        {
            ["kind"] = "TokenRequest",
            ["apiVersion"] = "authentication.k8s.io/v1",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["creationTimestamp"] = null },
            ["spec"] = spec.DeepClone(),
            ["status"] = new JsonObject { ["token"] = token, ["expirationTimestamp"] = ServiceAccountTokens.FormatExpiration(expires) },
        };
        await HttpIo.WriteJsonAsync(context, 201, response);
    }

    private static ApiException Invalid(string name, string field, string value, string detail)
    {
        var details = new JsonObject
        {
            ["name"] = name,
            ["group"] = "authentication.k8s.io",
            ["kind"] = "TokenRequest",
            ["causes"] = new JsonArray(new JsonObject { ["reason"] = "FieldValueInvalid", ["message"] = $"Invalid value: {value}: {detail}", ["field"] = field }),
        };
        return new ApiException(422, "Invalid", $"TokenRequest.authentication.k8s.io \"{name}\" is invalid: {field}: Invalid value: {value}: {detail}", details);
    }
}
