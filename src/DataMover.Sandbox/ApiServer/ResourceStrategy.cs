using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer;

/// <summary>Default strategy: no defaults, no extra validation. Kinds override what they enforce.</summary>
internal class ResourceStrategy : IResourceStrategy
{
    public static readonly ResourceStrategy Plain = new();

    public virtual void PrepareForCreate(ResourceType type, JsonObject obj)
    {
    }

    public virtual void PrepareForUpdate(ResourceType type, JsonObject obj, JsonObject old)
    {
    }

    public virtual void Validate(ResourceType type, JsonObject obj, List<FieldError> errors)
    {
    }

    public virtual void ValidateUpdate(ResourceType type, JsonObject obj, JsonObject old, List<FieldError> errors) =>
        Validate(type, obj, errors);

    protected static void Immutable(JsonObject obj, JsonObject old, string field, List<FieldError> errors, params string[] path)
    {
        var now = JsonPaths.Node(obj, path);
        var before = JsonPaths.Node(old, path);
        if (!JsonNode.DeepEquals(now, before))
        {
            errors.Add(FieldError.Immutable(field, now));
        }
    }
}
