using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Strategies;

/// <summary>Namespaces: the kubernetes finalizer, Active phase, and the immutable kubernetes.io/metadata.name label.</summary>
internal sealed class NamespaceStrategy : ResourceStrategy
{
    public const string NameLabel = "kubernetes.io/metadata.name";

    public override void PrepareForCreate(ResourceType type, JsonObject obj)
    {
        JsonPaths.Ensure(obj, "spec")["finalizers"] = JsonPaths.StringArray(["kubernetes"]);
        obj["status"] = new JsonObject { ["phase"] = "Active" };
        SetNameLabel(obj);
    }

    public override void PrepareForUpdate(ResourceType type, JsonObject obj, JsonObject old)
    {
        // spec.finalizers only change through /finalize.
        obj["spec"] = old["spec"]?.DeepClone();
        SetNameLabel(obj);
    }

    private static void SetNameLabel(JsonObject obj) =>
        JsonPaths.Ensure(JsonPaths.Meta(obj), "labels")[NameLabel] = JsonPaths.Name(obj);
}
