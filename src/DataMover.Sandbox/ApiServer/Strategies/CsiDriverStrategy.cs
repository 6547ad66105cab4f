using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Strategies;

/// <summary>CSIDriver: the defaults storage.k8s.io/v1 applies.</summary>
internal sealed class CsiDriverStrategy : ResourceStrategy
{
    public override void PrepareForCreate(ResourceType type, JsonObject obj) => Defaults(obj);

    public override void PrepareForUpdate(ResourceType type, JsonObject obj, JsonObject old) => Defaults(obj);

    public override void ValidateUpdate(ResourceType type, JsonObject obj, JsonObject old, List<FieldError> errors) =>
        Immutable(obj, old, "spec.attachRequired", errors, "spec", "attachRequired");

    private static void Defaults(JsonObject obj)
    {
        var spec = JsonPaths.Ensure(obj, "spec");
        JsonPaths.SetDefault(spec, "attachRequired", true);
        JsonPaths.SetDefault(spec, "podInfoOnMount", false);
        JsonPaths.SetDefault(spec, "requiresRepublish", false);
        JsonPaths.SetDefault(spec, "storageCapacity", false);
        JsonPaths.SetDefault(spec, "seLinuxMount", false);
        JsonPaths.SetDefault(spec, "fsGroupPolicy", "ReadWriteOnceWithFSType");
        JsonPaths.SetDefault(spec, "volumeLifecycleModes", JsonPaths.StringArray(["Persistent"]));
    }
}
