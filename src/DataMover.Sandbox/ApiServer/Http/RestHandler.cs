using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataMover.Sandbox.ApiServer.Patching;
using DataMover.Sandbox.ApiServer.Tables;
using DataMover.Sandbox.Hosting;

namespace DataMover.Sandbox.ApiServer.Http;

/// <summary>Serves the REST verbs of every resource: get, list, create, update, patch, delete, deletecollection, logs, binding.</summary>
internal sealed class RestHandler
{
    private static readonly string[] CustomPatchTypes = ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"];
    private static readonly string[] BuiltinPatchTypes = ["application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml"];
    private readonly ObjectService _objects;
    private readonly WatchStreamer _watches;
    private readonly Func<IPodLogSource> _logs;
    private readonly ReviewHandler _reviews;
    private readonly TokenRequestHandler _tokens;

    public RestHandler(ObjectService objects, WatchStreamer watches, Func<IPodLogSource> logs, ReviewHandler reviews, TokenRequestHandler tokens)
    {
        _objects = objects;
        _watches = watches;
        _logs = logs;
        _reviews = reviews;
        _tokens = tokens;
    }

    public Task HandleAsync(HttpContext context, ApiRequest request) => request.Verb switch
    {
        "get" when request.Subresource == "log" => LogsAsync(context, request),
        "get" => GetAsync(context, request),
        "list" => ListAsync(context, request),
        "watch" => _watches.StreamAsync(context, request),
        "create" when request.Subresource == "binding" => BindAsync(context, request),
        "create" when request.Subresource == "token" => _tokens.HandleAsync(context, request),
        "create" when request.Name is not null => throw ApiException.MethodNotSupported(request.Type, "create"),
        "create" when request.Type.IsReview => _reviews.HandleAsync(context, request),
        _ when request.Type.IsReview => throw ApiException.MethodNotSupported(request.Type, request.Verb),
        "create" => CreateAsync(context, request),
        "update" => UpdateAsync(context, request),
        "patch" => PatchAsync(context, request),
        "delete" => DeleteAsync(context, request),
        "deletecollection" => DeleteCollectionAsync(context, request),
        _ => throw ApiException.MethodNotSupported(request.Type, request.Verb),
    };

    public static bool WantsTable(HttpRequest request) =>
        request.Headers.Accept.Any(a => a is not null && a.Contains("as=Table", StringComparison.Ordinal));

    private async Task GetAsync(HttpContext context, ApiRequest request)
    {
        if (request.Subresource is not null and not "status")
        {
            throw ApiException.MethodNotSupported(request.Type, "get");
        }

        var obj = _objects.Get(request.Type, request.Namespace, request.Name!) ?? throw ApiException.NotFound(request.Type, request.Name!);
        if (WantsTable(context.Request))
        {
            await HttpIo.WriteJsonAsync(context, 200, TableConverter.Convert(request.Type, [obj], JsonPaths.Str(obj, "metadata", "resourceVersion"), null, context.Request.Query["includeObject"]));
            return;
        }

        await HttpIo.WriteJsonAsync(context, 200, obj);
    }

    private async Task ListAsync(HttpContext context, ApiRequest request)
    {
        var query = context.Request.Query;
        var type = request.Type;
        var labels = LabelSelector.Parse(query["labelSelector"]);
        var fields = FieldSelector.Parse(query["fieldSelector"], type);
        long limit = long.TryParse(query["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out var l) && l > 0 ? l : 0;
        var token = DecodeContinue(query["continue"]);
        var items = new List<JsonObject>();
        string? next = null;
        long remaining = 0;
        long listRv;
        var exact = query["resourceVersionMatch"] == "Exact" && long.TryParse(query["resourceVersion"], NumberStyles.None, CultureInfo.InvariantCulture, out var exactRv) ? exactRv : (long?)null;
        if (token is null && exact is null
            && long.TryParse(query["resourceVersion"], NumberStyles.None, CultureInfo.InvariantCulture, out var notOlderThan) && notOlderThan > 0
            && !await _objects.Store.WaitUntilFreshAsync(notOlderThan, ResourceStore.BlockTimeout, context.RequestAborted))
        {
            // watchCache.WaitUntilFreshAndList: a list "not older than" a version the cache has not reached waits
            // blockTimeout for it, then fails with NewTooLargeResourceVersionError (504, retry after 1 s).
            lock (_objects.Store.Gate)
            {
                throw ApiException.TooLargeResourceVersion(notOlderThan, _objects.Store.CurrentRv);
            }
        }

        lock (_objects.Store.Gate)
        {
            listRv = token?.ResourceVersion ?? _objects.Store.CurrentRv;
            IEnumerable<KeyValuePair<string, JsonObject>> source;
            if (exact is not null)
            {
                // An exact read is delegated to etcd, whose range at a future revision fails with ErrFutureRev; the
                // etcd3 store does not translate it, so the client gets a 500 with etcd's text.
                listRv = exact.Value <= _objects.Store.CurrentRv
                    ? exact.Value
                    : throw new ApiException(500, "", "etcdserver: mvcc: required revision is a future revision");
            }

            if (token is not null || exact is not null)
            {
                source = _objects.Store.SnapshotAt(type.Key, request.Namespace, listRv)
                    ?? throw (token is not null
                        ? ApiException.Gone("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.")
                        : ApiException.Gone($"too old resource version: {listRv} ({_objects.Store.CurrentRv})"));
            }
            else
            {
                source = _objects.Store.List(type.Key, request.Namespace);
            }

            foreach (var (key, stored) in source)
            {
                if (token is not null && string.CompareOrdinal(key, token.StartAfter) <= 0)
                {
                    continue;
                }

                var presented = ObjectService.Present(type, stored);
                if (!labels.Matches(presented) || !fields.Matches(stored))
                {
                    continue;
                }

                if (limit > 0 && items.Count >= limit)
                {
                    remaining++;
                    continue;
                }

                items.Add(presented);
                if (limit > 0 && items.Count == limit)
                {
                    next = EncodeContinue(new ContinueToken(listRv, key));
                }
            }
        }

        if (remaining == 0)
        {
            next = null;
        }

        var rv = ObjectService.FormatRv(listRv);
        if (WantsTable(context.Request))
        {
            await HttpIo.WriteJsonAsync(context, 200, TableConverter.Convert(type, items, rv, next, context.Request.Query["includeObject"]));
            return;
        }

        var metadata = new JsonObject { ["resourceVersion"] = rv };
        if (next is not null)
        {
            metadata["continue"] = next;
            if (labels.IsEmpty && fields.Name is null && string.IsNullOrEmpty(query["fieldSelector"]))
            {
                metadata["remainingItemCount"] = remaining;
            }
        }

        await HttpIo.WriteJsonAsync(context, 200, ListOf(type, items, metadata));
    }

    public static JsonObject ListOf(ResourceType type, List<JsonObject> items, JsonObject metadata)
    {
        var array = new JsonArray();
        foreach (var item in items)
        {
            if (!type.IsCustom)
            {
                // Typed lists carry no per-item apiVersion/kind; unstructured (custom) lists do.
                item.Remove("kind");
                item.Remove("apiVersion");
            }

            array.Add(item);
        }

        return new JsonObject
        {
            ["kind"] = type.ListKind,
            ["apiVersion"] = type.ApiVersion,
            ["metadata"] = metadata,
            ["items"] = array,
        };
    }

    private async Task CreateAsync(HttpContext context, ApiRequest request)
    {
        var options = WriteOptionsFrom(context.Request);
        context.Items[HttpIo.WarningsKey] = options.Warnings;
        var body = await HttpIo.ReadObjectAsync(context.Request, request.Type, context.RequestAborted);
        var created = _objects.Create(request.Type, request.Namespace, body, options);
        await HttpIo.WriteJsonAsync(context, 201, created, options.Warnings);
    }

    private async Task UpdateAsync(HttpContext context, ApiRequest request)
    {
        var options = WriteOptionsFrom(context.Request);
        context.Items[HttpIo.WarningsKey] = options.Warnings;
        var body = await HttpIo.ReadObjectAsync(context.Request, request.Type, context.RequestAborted);
        var existed = _objects.Get(request.Type, request.Namespace, request.Name!) is not null;
        var updated = _objects.Update(request.Type, request.Namespace, request.Name!, request.Subresource, body, options);
        await HttpIo.WriteJsonAsync(context, existed ? 200 : 201, updated, options.Warnings);
    }

    private async Task PatchAsync(HttpContext context, ApiRequest request)
    {
        var type = request.Type;
        var contentType = (context.Request.ContentType ?? "").Split(';')[0].Trim();
        var accepted = type.IsCustom ? CustomPatchTypes : BuiltinPatchTypes;
        if (!accepted.Contains(contentType))
        {
            throw ApiException.UnsupportedMediaType(contentType, accepted);
        }

        var options = WriteOptionsFrom(context.Request);
        var text = await HttpIo.ReadTextAsync(context.Request, context.RequestAborted);
        var patch = HttpIo.Parse(text, contentType) ?? throw ApiException.BadRequest("the request body is empty");
        Func<JsonObject>? createIfMissing = null;
        Func<JsonObject, JsonObject> apply;
        switch (contentType)
        {
            case "application/json-patch+json":
                var operations = patch as JsonArray ?? throw ApiException.BadRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
                apply = current => JsonPatcher.Apply(current, operations) as JsonObject ?? throw new ApiException(422, "Invalid", "the patch produced a non-object");
                break;
            case "application/merge-patch+json":
                apply = current => MergePatcher.Apply(current, patch) as JsonObject ?? throw new ApiException(422, "Invalid", "the patch produced a non-object");
                break;
            case "application/strategic-merge-patch+json":
                apply = current => StrategicMergePatcher.Apply(current, patch) as JsonObject ?? throw new ApiException(422, "Invalid", "the patch produced a non-object");
                break;
            default:
                if (string.IsNullOrEmpty(context.Request.Query["fieldManager"]))
                {
                    throw ApiException.BadRequest("PATCH /" + type.GroupResource + ": fieldManager is required for apply requests");
                }

                var intent = patch as JsonObject ?? throw ApiException.BadRequest("apply patch must be an object");
                if (string.IsNullOrEmpty(JsonPaths.Str(intent, "apiVersion")) || string.IsNullOrEmpty(JsonPaths.Str(intent, "kind")))
                {
                    throw ApiException.BadRequest("invalid object type: /, Kind=");
                }

                var manager = context.Request.Query["fieldManager"].ToString();
                var force = context.Request.Query["force"] == "true";
                var subresource = request.Subresource;
                createIfMissing = () => ServerSideApply.Apply(null, intent, manager, force, type, subresource);
                apply = current => ServerSideApply.Apply(current, intent, manager, force, type, subresource);
                options = new WriteOptions { DryRun = options.DryRun, FieldValidation = options.FieldValidation, WritesManagedFields = true, FieldManager = manager, User = options.User };
                break;
        }

        context.Items[HttpIo.WarningsKey] = options.Warnings;

        var existed = _objects.Get(type, request.Namespace, request.Name!) is not null;
        var result = _objects.Patch(type, request.Namespace, request.Name!, request.Subresource, apply, createIfMissing, options);
        await HttpIo.WriteJsonAsync(context, existed || createIfMissing is null ? 200 : 201, result, options.Warnings);
    }

    private async Task DeleteAsync(HttpContext context, ApiRequest request)
    {
        if (request.Subresource is not null)
        {
            throw ApiException.MethodNotSupported(request.Type, "delete");
        }

        var (delete, options) = await DeleteOptionsFrom(context);
        var warnings = new List<string>();
        if (request.Type.DefaultPropagation == "Orphan" && delete.PropagationPolicy is null && delete.OrphanDependents is null)
        {
            warnings.Add("child pods are preserved by default when jobs are deleted; set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning");
        }

        var outcome = _objects.Delete(request.Type, request.Namespace, request.Name!, delete, options);
        if (outcome.Removed && !request.Type.ReturnDeletedObject)
        {
            var details = new JsonObject { ["name"] = request.Name, ["group"] = request.Type.Group.Length > 0 ? request.Type.Group : null, ["kind"] = request.Type.Plural, ["uid"] = JsonPaths.Uid(outcome.Object) };
            if (request.Type.Group.Length == 0)
            {
                details.Remove("group");
            }

            var status = new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Success", ["details"] = details };
            await HttpIo.WriteJsonAsync(context, 200, status, warnings);
            return;
        }

        await HttpIo.WriteJsonAsync(context, 200, outcome.Object, warnings);
    }

    private async Task DeleteCollectionAsync(HttpContext context, ApiRequest request)
    {
        var labels = LabelSelector.Parse(context.Request.Query["labelSelector"]);
        var fields = FieldSelector.Parse(context.Request.Query["fieldSelector"], request.Type);
        var (delete, options) = await DeleteOptionsFrom(context);
        var deleted = _objects.DeleteCollection(request.Type, request.Namespace, o => labels.Matches(o) && fields.Matches(o), delete, options);
        await HttpIo.WriteJsonAsync(context, 200, ListOf(request.Type, deleted, new JsonObject { ["resourceVersion"] = ObjectService.FormatRv(_objects.Store.CurrentRv) }));
    }

    private async Task BindAsync(HttpContext context, ApiRequest request)
    {
        var body = await HttpIo.ReadObjectAsync(context.Request, request.Type, context.RequestAborted);
        var node = JsonPaths.Str(body, "target", "name");
        if (string.IsNullOrEmpty(node))
        {
            throw ApiException.Invalid(request.Type, request.Name!, [FieldError.Required("target.name")]);
        }

        _objects.Bind(request.Type, request.Namespace!, request.Name!, node, JsonPaths.Obj(body, "metadata", "annotations"));
        await HttpIo.WriteJsonAsync(context, 201, new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Success", ["code"] = 201 });
    }

    private async Task LogsAsync(HttpContext context, ApiRequest request)
    {
        var pod = _objects.Get(request.Type, request.Namespace, request.Name!) ?? throw ApiException.NotFound(request.Type, request.Name!);
        var query = context.Request.Query;
        var containers = (JsonPaths.Arr(pod, "spec", "containers") ?? []).Concat(JsonPaths.Arr(pod, "spec", "initContainers") ?? [])
            .Select(c => JsonPaths.Str(c, "name") ?? "").ToList();
        string container = query["container"].ToString();
        if (container.Length == 0)
        {
            var regular = (JsonPaths.Arr(pod, "spec", "containers") ?? []).Select(c => JsonPaths.Str(c, "name") ?? "").ToList();
            if (regular.Count != 1)
            {
                throw ApiException.BadRequest($"a container name must be specified for pod {request.Name}, choose one of: [{string.Join(" ", regular)}]");
            }

            container = regular[0];
        }
        else if (!containers.Contains(container))
        {
            throw ApiException.BadRequest($"container {container} is not valid for pod {request.Name}");
        }

        var logRequest = new PodLogRequest(
            request.Namespace!,
            request.Name!,
            container,
            JsonPaths.Str(pod, "spec", "nodeName"),
            query["follow"] == "true",
            query["previous"] == "true",
            query["timestamps"] == "true",
            ParseLong(query["tailLines"]),
            ParseLong(query["sinceSeconds"]),
            ParseLong(query["limitBytes"]));
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/plain";
        await _logs().WriteLogsAsync(logRequest, context.Response.Body, context.RequestAborted);
    }

    private static long? ParseLong(string? value) =>
        long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) ? l : null;

    private static WriteOptions WriteOptionsFrom(HttpRequest request)
    {
        var dryRun = request.Query["dryRun"].ToString();
        if (dryRun.Length > 0 && dryRun != "All")
        {
            throw ApiException.BadRequest($"Invalid dryRun value: {dryRun}. Must be \"All\"");
        }

        var validation = request.Query["fieldValidation"].ToString();
        if (validation.Length > 0 && validation is not ("Strict" or "Warn" or "Ignore"))
        {
            throw ApiException.BadRequest($"fieldValidation parameter value is invalid: {validation}. Must be one of: Ignore, Warn, Strict");
        }

        return new WriteOptions
        {
            DryRun = dryRun == "All",
            FieldValidation = validation.Length > 0 ? validation : "Warn",
            FieldManager = FieldManagerOf(request),
            User = request.HttpContext.Items[ApiEndpoints.UserKey] as Auth.UserInfo,
        };
    }

    /// <summary>The fieldManager parameter, else the User-Agent's product name, as the apiserver derives it.</summary>
    private static string FieldManagerOf(HttpRequest request)
    {
        var manager = request.Query["fieldManager"].ToString();
        if (manager.Length > 0)
        {
            return manager;
        }

        var agent = request.Headers.UserAgent.ToString();
        var slash = agent.IndexOf('/', StringComparison.Ordinal);
        var product = slash >= 0 ? agent[..slash] : agent;
        return product.Length > 0 ? product : "unknown";
    }

    private static async Task<(DeleteRequest Delete, WriteOptions Options)> DeleteOptionsFrom(HttpContext context)
    {
        var query = context.Request.Query;
        var body = HttpIo.Parse(await HttpIo.ReadTextAsync(context.Request, context.RequestAborted), context.Request.ContentType) as JsonObject;
        var dryRun = query["dryRun"] == "All" || (JsonPaths.Arr(body, "dryRun")?.Any(d => d?.GetValue<string>() == "All") ?? false);
        var grace = JsonPaths.Long(body, "gracePeriodSeconds") ?? ParseLong(query["gracePeriodSeconds"]);
        var policy = JsonPaths.Str(body, "propagationPolicy") ?? NullIfEmpty(query["propagationPolicy"]);
        var orphan = JsonPaths.Bool(body, "orphanDependents") ?? (bool.TryParse(query["orphanDependents"], out var o) ? o : null);
        if (policy is not null && orphan is not null)
        {
            throw new ApiException(422, "Invalid", "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Invalid value: \"" + policy + "\": orphanDependents and deletionPropagation cannot be both set");
        }

        var delete = new DeleteRequest(
            policy,
            orphan,
            grace,
            JsonPaths.Str(body, "preconditions", "uid"),
            JsonPaths.Str(body, "preconditions", "resourceVersion"),
            dryRun);
        return (delete, new WriteOptions { DryRun = dryRun, FieldManager = FieldManagerOf(context.Request) });
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static ContinueToken? DecodeContinue(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        try
        {
            var json = Encoding.UTF8.GetString(Convert.FromBase64String(value));
            return JsonSerializer.Deserialize(json, SandboxJsonContext.Default.ContinueToken) ?? throw new FormatException();
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            throw ApiException.BadRequest("continue key is not valid: illegal base64 data");
        }
    }

    private static string EncodeContinue(ContinueToken token) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(token, SandboxJsonContext.Default.ContinueToken)));
}
