using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Strategies;

/// <summary>StorageClass: provisioner required, defaults, and the fields that cannot change.</summary>
internal sealed class StorageClassStrategy : ResourceStrategy
{
    public override void PrepareForCreate(ResourceType type, JsonObject obj) => Defaults(obj);

    public override void PrepareForUpdate(ResourceType type, JsonObject obj, JsonObject old) => Defaults(obj);

    public override void Validate(ResourceType type, JsonObject obj, List<FieldError> errors)
    {
        if (string.IsNullOrEmpty(JsonPaths.Str(obj, "provisioner")))
        {
            errors.Add(FieldError.Required("provisioner"));
        }

        var mode = JsonPaths.Str(obj, "volumeBindingMode");
        if (mode is not null and not ("Immediate" or "WaitForFirstConsumer"))
        {
            errors.Add(FieldError.NotSupported("volumeBindingMode", JsonValue.Create(mode), ["Immediate", "WaitForFirstConsumer"]));
        }
    }

    public override void ValidateUpdate(ResourceType type, JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        Validate(type, obj, errors);
        foreach (var field in new[] { "parameters", "provisioner", "reclaimPolicy", "volumeBindingMode" })
        {
            if (!JsonNode.DeepEquals(obj[field], old[field]))
            {
                errors.Add(FieldError.Forbidden(field, $"updates to {field} are forbidden."));
            }
        }
    }

    private static void Defaults(JsonObject obj)
    {
        JsonPaths.SetDefault(obj, "reclaimPolicy", "Delete");
        JsonPaths.SetDefault(obj, "volumeBindingMode", "Immediate");
    }
}
