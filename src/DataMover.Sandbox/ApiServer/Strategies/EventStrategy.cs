using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Strategies;

/// <summary>core/v1 Events (also the storage form of events.k8s.io/v1).</summary>
internal sealed class EventStrategy : ResourceStrategy
{
    public override void PrepareForCreate(ResourceType type, JsonObject obj) => Defaults(obj);

    public override void PrepareForUpdate(ResourceType type, JsonObject obj, JsonObject old) => Defaults(obj);

    public override void Validate(ResourceType type, JsonObject obj, List<FieldError> errors)
    {
        var involvedNs = JsonPaths.Str(obj, "involvedObject", "namespace");
        var ns = JsonPaths.Namespace(obj);
        if (!string.IsNullOrEmpty(involvedNs) && involvedNs != ns)
        {
            errors.Add(FieldError.Invalid("involvedObject.namespace", JsonValue.Create(involvedNs), "does not match event.namespace"));
        }

        var eventType = JsonPaths.Str(obj, "type");
        if (!string.IsNullOrEmpty(JsonPaths.Str(obj, "reportingComponent")) && eventType is not ("Normal" or "Warning"))
        {
            errors.Add(FieldError.NotSupported("type", JsonValue.Create(eventType ?? ""), ["Normal", "Warning"]));
        }
    }

    private static void Defaults(JsonObject obj)
    {
        JsonPaths.SetDefault(obj, "involvedObject", new JsonObject());
        JsonPaths.SetDefault(obj, "source", new JsonObject());
        JsonPaths.SetDefault(obj, "reportingComponent", "");
        JsonPaths.SetDefault(obj, "reportingInstance", "");
    }
}
