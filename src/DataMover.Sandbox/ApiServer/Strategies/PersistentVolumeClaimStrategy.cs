using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Strategies;

/// <summary>PVCs: volumeMode default, Pending status, pvc-protection finalizer, spec immutability rules.</summary>
internal sealed class PersistentVolumeClaimStrategy : ResourceStrategy
{
    public const string ProtectionFinalizer = "kubernetes.io/pvc-protection";
    private static readonly string[] AccessModes = ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"];

    public override void PrepareForCreate(ResourceType type, JsonObject obj)
    {
        var spec = JsonPaths.Ensure(obj, "spec");
        JsonPaths.SetDefault(spec, "volumeMode", "Filesystem");
        obj["status"] = new JsonObject { ["phase"] = "Pending" };

        // StorageObjectInUseProtection admission: the protection controller removes it when unused.
        var finalizers = JsonPaths.Finalizers(obj);
        if (!finalizers.Contains(ProtectionFinalizer))
        {
            finalizers.Add(ProtectionFinalizer);
            JsonPaths.SetFinalizers(obj, finalizers);
        }
    }

    public override void PrepareForUpdate(ResourceType type, JsonObject obj, JsonObject old) =>
        JsonPaths.SetDefault(JsonPaths.Ensure(obj, "spec"), "volumeMode", "Filesystem");

    public override void Validate(ResourceType type, JsonObject obj, List<FieldError> errors)
    {
        var spec = JsonPaths.Obj(obj, "spec");
        if (JsonPaths.Arr(spec, "accessModes") is not { Count: > 0 } modes)
        {
            errors.Add(FieldError.Required("spec.accessModes", "at least 1 access mode is required"));
        }
        else
        {
            foreach (var m in modes)
            {
                var mode = m?.GetValue<string>() ?? "";
                if (!AccessModes.Contains(mode))
                {
                    errors.Add(FieldError.NotSupported("spec.accessModes", JsonValue.Create(mode), AccessModes));
                }
            }
        }

        if (JsonPaths.Node(spec, "resources", "requests", "storage") is null)
        {
            errors.Add(FieldError.Required("spec.resources[storage]"));
        }

        var volumeMode = JsonPaths.Str(spec, "volumeMode");
        if (volumeMode is not null and not ("Filesystem" or "Block"))
        {
            errors.Add(FieldError.NotSupported("spec.volumeMode", JsonValue.Create(volumeMode), ["Block", "Filesystem"]));
        }
    }

    public override void ValidateUpdate(ResourceType type, JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        Validate(type, obj, errors);
        var now = JsonPaths.Obj(obj, "spec")?.DeepClone() as JsonObject ?? [];
        var before = JsonPaths.Obj(old, "spec")?.DeepClone() as JsonObject ?? [];
        if (string.IsNullOrEmpty(JsonPaths.Str(before, "volumeName")))
        {
            // The PV controller may set volumeName once.
            CopyField(now, before, "volumeName");
        }

        var bound = JsonPaths.Str(old, "status", "phase") == "Bound";
        if (bound)
        {
            JsonPaths.Ensure(before, "resources")["requests"] = JsonPaths.Node(now, "resources", "requests")?.DeepClone();
        }

        CopyField(now, before, "volumeAttributesClassName");
        if (!JsonNode.DeepEquals(now, before))
        {
            errors.Add(FieldError.Forbidden("spec", "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"));
        }
        else if (bound && Quantity.TryParse(JsonPaths.Str(now, "resources", "requests", "storage"), out var n)
            && Quantity.TryParse(JsonPaths.Str(old, "spec", "resources", "requests", "storage"), out var o) && n < o)
        {
            errors.Add(FieldError.Forbidden("spec.resources.requests.storage", "field can not be less than previous value"));
        }
    }

    /// <summary>Makes <paramref name="to"/> agree with <paramref name="from"/> on one field, absent included (a JSON null is not absence).</summary>
    private static void CopyField(JsonObject from, JsonObject to, string field)
    {
        if (from[field] is { } value)
        {
            to[field] = value.DeepClone();
        }
        else
        {
            to.Remove(field);
        }
    }
}
