using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer;

/// <summary>
/// A failed API call carrying the exact metav1.Status body the real API server would send,
/// so clients exercise their real error handling (reason, details.causes, retryAfterSeconds...).
/// </summary>
internal sealed class ApiException : Exception
{
    public ApiException(int code, string reason, string message, JsonObject? details = null)
        : base(message)
    {
        Code = code;
        Reason = reason;
        Details = details;
    }

    public int Code { get; }

    public string Reason { get; }

    public JsonObject? Details { get; }

    public int? RetryAfterSeconds { get; init; }

    public JsonObject ToStatus()
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = Message,
        };
        if (Reason.Length > 0)
        {
            status["reason"] = Reason;
        }

        if (Details is not null)
        {
            status["details"] = Details.DeepClone();
        }

        status["code"] = Code;
        return status;
    }

    private static JsonObject DetailsFor(ResourceType? type, string? name)
    {
        var details = new JsonObject();
        if (!string.IsNullOrEmpty(name))
        {
            details["name"] = name;
        }

        if (type is not null)
        {
            if (type.Group.Length > 0)
            {
                details["group"] = type.Group;
            }

            details["kind"] = type.Plural;
        }

        return details;
    }

    public static ApiException NotFound(ResourceType type, string name) =>
        new(404, "NotFound", $"{type.GroupResource} \"{name}\" not found", DetailsFor(type, name));

    public static ApiException NamespaceNotFound(string ns) =>
        new(404, "NotFound", $"namespaces \"{ns}\" not found", new JsonObject { ["name"] = ns, ["kind"] = "namespaces" });

    public static ApiException PathNotFound() =>
        new(404, "NotFound", "the server could not find the requested resource", new JsonObject());

    public static ApiException AlreadyExists(ResourceType type, string name) =>
        new(409, "AlreadyExists", $"{type.GroupResource} \"{name}\" already exists", DetailsFor(type, name));

    /// <summary>apimachinery errors.NewGenerateNameConflict: every generated name was taken.</summary>
    public static ApiException GenerateNameConflict(ResourceType type, string name)
    {
        var details = DetailsFor(type, name);
        details["retryAfterSeconds"] = 1;
        return new(409, "AlreadyExists", $"{type.GroupResource} \"{name}\" already exists, the server was not able to generate a unique name for the object", details);
    }

    public static ApiException Conflict(ResourceType type, string name, string why) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {type.GroupResource} \"{name}\": {why}", DetailsFor(type, name));

    public static ApiException StaleUpdate(ResourceType type, string name) =>
        Conflict(type, name, "the object has been modified; please apply your changes to the latest version and try again");

    public static ApiException Invalid(ResourceType type, string name, IReadOnlyList<FieldError> errors)
    {
        var causes = new JsonArray();
        foreach (var e in errors)
        {
            causes.Add(new JsonObject { ["reason"] = e.Type, ["message"] = e.Body, ["field"] = e.Field });
        }

        var details = new JsonObject { ["name"] = name };
        if (type.Group.Length > 0)
        {
            details["group"] = type.Group;
        }

        details["kind"] = type.Kind;
        details["causes"] = causes;
        var list = errors.Count == 1 ? errors[0].ToString() : "[" + string.Join(", ", errors.Select(e => e.ToString())) + "]";
        var qualified = type.Group.Length > 0 ? $"{type.Kind}.{type.Group}" : type.Kind;
        return new ApiException(422, "Invalid", $"{qualified} \"{name}\" is invalid: {list}", details);
    }

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiException Forbidden(ResourceType type, string name, string why) =>
        new(403, "Forbidden", $"{type.GroupResource} \"{name}\" is forbidden: {why}", DetailsFor(type, name));

    public static ApiException MethodNotSupported(ResourceType type, string action) =>
        new(405, "MethodNotAllowed", $"{action} is not supported on resources of kind \"{type.GroupResource}\"", DetailsFor(type, null));

    public static ApiException UnsupportedMediaType(string contentType, IEnumerable<string> accepted) =>
        new(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: {string.Join(", ", accepted)}", new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["reason"] = "UnexpectedServerResponse", ["message"] = contentType }) });

    public static ApiException Gone(string message) => new(410, "Expired", message);

    public static ApiException Unauthorized() => new(401, "Unauthorized", "Unauthorized");

    public static ApiException TooManyRequests() =>
        new(429, "TooManyRequests", "the server has received too many requests and has asked us to try again later", new JsonObject { ["retryAfterSeconds"] = 1 })
        {
            RetryAfterSeconds = 1,
        };

    /// <summary>apimachinery errors.NewServiceUnavailable.</summary>
    public static ApiException ServiceUnavailable(string why) => new(503, "ServiceUnavailable", why);

    /// <summary>apimachinery errors.NewTimeoutError: 504, reason Timeout, "Timeout: " before the message.</summary>
    public static ApiException Timeout(string why, int retryAfterSeconds) =>
        new(504, "Timeout", "Timeout: " + why, new JsonObject { ["retryAfterSeconds"] = retryAfterSeconds })
        {
            RetryAfterSeconds = retryAfterSeconds > 0 ? retryAfterSeconds : null,
        };

    /// <summary>
    /// k8s.io/apiserver/pkg/storage NewTooLargeResourceVersionError, as the watch cache answers a resourceVersion
    /// newer than it has seen (retry after 1 s).
    /// </summary>
    public static ApiException TooLargeResourceVersion(long requested, long current)
    {
        var error = Timeout($"Too large resource version: {requested}, current: {current}", 1);
        error.Details!["causes"] = new JsonArray(new JsonObject { ["reason"] = "ResourceVersionTooLarge", ["message"] = "Too large resource version" });
        return error;
    }

    public static ApiException Internal(string why) =>
        new(500, "InternalError", $"Internal error occurred: {why}", new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["message"] = why }) });
}
