using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace DataMover.Kube.Tests.Support;

/// <summary>
/// A scripted API endpoint for one namespaced resource kept in memory, with the API server's optimistic concurrency:
/// GET, POST (409 AlreadyExists), PUT (409 Conflict on a stale resourceVersion) and PATCH (merge of top-level fields).
/// </summary>
internal sealed class InMemoryObjectServer
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, JsonObject> _objects = [];
    private readonly string _collection;
    private long _version = 100;

    public InMemoryObjectServer(string collectionPath) => _collection = collectionPath;

    /// <summary>Every request as "VERB name".</summary>
    public List<string> Requests { get; } = [];

    /// <summary>When set, writes (POST/PUT/PATCH) answer 500.</summary>
    public bool FailWrites { get; set; }

    /// <summary>Status codes the next writes answer with, one write each, before writes work again.</summary>
    public Queue<int> NextWriteFailures { get; } = new();

    public JsonObject? Get(string name)
    {
        lock (_gate)
        {
            return _objects.TryGetValue(name, out var o) ? (JsonObject)o.DeepClone() : null;
        }
    }

    public IReadOnlyList<JsonObject> All()
    {
        lock (_gate)
        {
            return [.. _objects.Values.Select(o => (JsonObject)o.DeepClone())];
        }
    }

    public void Seed(string name, JsonObject obj)
    {
        lock (_gate)
        {
            obj["metadata"]!["resourceVersion"] = (++_version).ToString(CultureInfo.InvariantCulture);
            _objects[name] = obj;
        }
    }

    /// <summary>Deletes <paramref name="name"/> behind the client's back (as the API server's TTL does with Events).</summary>
    public void Remove(string name)
    {
        lock (_gate)
        {
            _objects.Remove(name);
        }
    }

    public void Map(WebApplication app)
    {
        app.MapGet(_collection + "/{name}", (string name) => Handle("GET", name, null, o => o is null ? NotFound(name) : Ok(o)));
        app.MapPost(_collection, async (HttpContext context) =>
        {
            var body = await ReadAsync(context);
            var name = body["metadata"]!["name"]!.GetValue<string>();
            return Handle("POST", name, body, existing =>
            {
                if (existing is not null)
                {
                    return Status(409, "AlreadyExists", $"\"{name}\" already exists");
                }

                Store(name, body);
                return Ok(body, 201);
            });
        });
        app.MapPut(_collection + "/{name}", async (HttpContext context, string name) =>
        {
            var body = await ReadAsync(context);
            return Handle("PUT", name, body, existing =>
            {
                if (existing is null)
                {
                    return NotFound(name);
                }

                if (body["metadata"]?["resourceVersion"]?.GetValue<string>() != existing["metadata"]!["resourceVersion"]!.GetValue<string>())
                {
                    return Status(409, "Conflict", $"Operation cannot be fulfilled on \"{name}\": the object has been modified; please apply your changes to the latest version and try again");
                }

                Store(name, body);
                return Ok(body);
            });
        });
        app.MapPatch(_collection + "/{name}", async (HttpContext context, string name) =>
        {
            var patch = await ReadAsync(context);
            var contentType = context.Request.ContentType ?? "";
            return Handle($"PATCH({contentType})", name, patch, existing =>
            {
                if (existing is null)
                {
                    return NotFound(name);
                }

                foreach (var (field, value) in patch)
                {
                    existing[field] = value?.DeepClone();
                }

                Store(name, existing);
                return Ok(existing);
            });
        });
    }

    private IResult Handle(string verb, string name, JsonObject? body, Func<JsonObject?, IResult> action)
    {
        lock (_gate)
        {
            Requests.Add($"{verb} {name}");
            if (FailWrites && verb != "GET")
            {
                return Status(500, "InternalError", "writes are failing");
            }

            if (verb != "GET" && NextWriteFailures.TryDequeue(out var code))
            {
                return code switch
                {
                    429 => Status(429, "TooManyRequests", "slow down"),
                    409 => Status(409, "AlreadyExists", $"\"{name}\" already exists"),
                    _ => Status(code, "InternalError", "a passing failure"),
                };
            }

            return action(_objects.TryGetValue(name, out var o) ? o : null);
        }
    }

    private void Store(string name, JsonObject obj)
    {
        obj["metadata"]!["resourceVersion"] = (++_version).ToString(CultureInfo.InvariantCulture);
        obj["metadata"]!["uid"] ??= Guid.NewGuid().ToString();
        _objects[name] = obj;
    }

    private static async Task<JsonObject> ReadAsync(HttpContext context) =>
        (JsonObject)(await JsonNode.ParseAsync(context.Request.Body))!;

    private static IResult Ok(JsonObject obj, int code = 200) => Results.Text(obj.ToJsonString(), "application/json", statusCode: code);

    private static IResult NotFound(string name) => Status(404, "NotFound", $"\"{name}\" not found");

    private static IResult Status(int code, string reason, string message) => Results.Text(
        new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["status"] = "Failure", ["reason"] = reason, ["message"] = message, ["code"] = code }.ToJsonString(),
        "application/json",
        statusCode: code);
}
