using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Admission;

/// <summary>
/// The DefaultStorageClass admission plugin: a PVC created without spec.storageClassName gets the default class
/// (the newest one when several are marked default). An explicit "" means "no class" and is left alone.
/// </summary>
internal static class DefaultStorageClassAdmission
{
    private const string DefaultAnnotation = "storageclass.kubernetes.io/is-default-class";
    private const string StorageClassesKey = "storage.k8s.io/storageclasses";

    public static void Apply(JsonObject claim, ResourceStore store)
    {
        var spec = JsonPaths.Ensure(claim, "spec");
        if (spec["storageClassName"] is not null)
        {
            return;
        }

        var chosen = store.List(StorageClassesKey, null)
            .Select(kv => kv.Value)
            .Where(c => JsonPaths.Str(c, "metadata", "annotations", DefaultAnnotation) == "true")
            .OrderByDescending(c => JsonPaths.Str(c, "metadata", "creationTimestamp"), StringComparer.Ordinal)
            .ThenBy(c => JsonPaths.Str(c, "metadata", "name"), StringComparer.Ordinal)
            .FirstOrDefault();
        if (chosen is not null)
        {
            spec["storageClassName"] = JsonPaths.Str(chosen, "metadata", "name");
        }
    }
}
