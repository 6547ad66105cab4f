using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer;

/// <summary>
/// Typed decoding drops fields a built-in kind does not have. Without full schemas the sandbox
/// knows each kind's top-level fields and ObjectMeta's, which catches misspelt sections
/// (`specs`, `metdata.lables`); unknown fields deeper inside a spec are kept.
/// </summary>
internal static class BuiltinFieldPruner
{
    private static readonly HashSet<string> ObjectMeta = new(StringComparer.Ordinal)
    {
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers", "managedFields",
    };

    private static readonly Dictionary<string, string[]> TopLevel = new(StringComparer.Ordinal)
    {
        ["/pods"] = ["spec", "status"],
        ["/persistentvolumeclaims"] = ["spec", "status"],
        ["/persistentvolumes"] = ["spec", "status"],
        ["/namespaces"] = ["spec", "status"],
        ["/nodes"] = ["spec", "status"],
        ["/services"] = ["spec", "status"],
        ["/configmaps"] = ["data", "binaryData", "immutable"],
        ["/secrets"] = ["data", "stringData", "type", "immutable"],
        ["/serviceaccounts"] = ["secrets", "imagePullSecrets", "automountServiceAccountToken"],
        ["/events"] = ["involvedObject", "reason", "message", "source", "firstTimestamp", "lastTimestamp", "count", "type", "eventTime", "series", "action", "related", "reportingComponent", "reportingInstance"],
        ["batch/jobs"] = ["spec", "status"],
        ["coordination.k8s.io/leases"] = ["spec"],
        ["storage.k8s.io/storageclasses"] = ["provisioner", "parameters", "reclaimPolicy", "mountOptions", "allowVolumeExpansion", "volumeBindingMode", "allowedTopologies"],
        ["storage.k8s.io/csidrivers"] = ["spec"],
        ["apiextensions.k8s.io/customresourcedefinitions"] = ["spec", "status"],
        ["rbac.authorization.k8s.io/roles"] = ["rules"],
        ["rbac.authorization.k8s.io/clusterroles"] = ["rules", "aggregationRule"],
        ["rbac.authorization.k8s.io/rolebindings"] = ["subjects", "roleRef"],
        ["rbac.authorization.k8s.io/clusterrolebindings"] = ["subjects", "roleRef"],
    };

    /// <summary>Removes unknown fields (in the stored form) and returns their paths.</summary>
    public static List<string> Prune(ResourceType type, JsonObject obj)
    {
        var pruned = new List<string>();
        if (!TopLevel.TryGetValue(type.Key, out var known))
        {
            return pruned;
        }

        foreach (var (key, _) in obj.ToList())
        {
            if (key is not ("apiVersion" or "kind" or "metadata") && !known.Contains(key))
            {
                obj.Remove(key);
                pruned.Add(ExternalName(type, key));
            }
        }

        if (obj["metadata"] is JsonObject meta)
        {
            foreach (var (key, _) in meta.ToList())
            {
                if (!ObjectMeta.Contains(key))
                {
                    meta.Remove(key);
                    pruned.Add("metadata." + key);
                }
            }
        }

        pruned.AddRange(BuiltinShapes.PruneSpec(type, obj));
        return pruned;
    }

    private static string ExternalName(ResourceType type, string key) => type.Group == "events.k8s.io" ? key switch
    {
        "involvedObject" => "regarding",
        "message" => "note",
        _ => key,
    } : key;
}
