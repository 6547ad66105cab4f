using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Strategies;

/// <summary>Pods: defaults, admission-added fields, and the narrow set of spec fields an update may change.</summary>
internal sealed class PodStrategy : ResourceStrategy
{
    public const string ImmutableMessage = "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

    public override void PrepareForCreate(ResourceType type, JsonObject obj)
    {
        var spec = JsonPaths.Ensure(obj, "spec");
        PodSpecDefaults.Apply(spec);
        JsonPaths.SetDefault(spec, "enableServiceLinks", true);

        // ServiceAccount, Priority and DefaultTolerationSeconds admission plugins.
        JsonPaths.SetDefault(spec, "serviceAccountName", "default");
        spec["serviceAccount"] = JsonPaths.Str(spec, "serviceAccountName");
        JsonPaths.SetDefault(spec, "priority", 0);
        JsonPaths.SetDefault(spec, "preemptionPolicy", "PreemptLowerPriority");
        var tolerations = spec["tolerations"] as JsonArray ?? [];
        foreach (var key in new[] { "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable" })
        {
            if (!tolerations.Any(t => JsonPaths.Str(t, "key") == key))
            {
                tolerations.Add(new JsonObject { ["key"] = key, ["operator"] = "Exists", ["effect"] = "NoExecute", ["tolerationSeconds"] = 300 });
            }
        }

        spec["tolerations"] = tolerations;
        obj["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = QosClass(spec) };
    }

    public override void Validate(ResourceType type, JsonObject obj, List<FieldError> errors) =>
        PodSpecDefaults.Validate(JsonPaths.Obj(obj, "spec"), "spec", errors, template: false);

    public override void ValidateUpdate(ResourceType type, JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        Validate(type, obj, errors);
        var now = JsonPaths.Obj(obj, "spec")?.DeepClone() as JsonObject ?? [];
        var before = JsonPaths.Obj(old, "spec")?.DeepClone() as JsonObject ?? [];
        foreach (var spec in new[] { now, before })
        {
            spec.Remove("activeDeadlineSeconds");
            spec.Remove("tolerations");
            spec.Remove("terminationGracePeriodSeconds");
            foreach (var list in new[] { "containers", "initContainers" })
            {
                foreach (var c in (spec[list] as JsonArray ?? []).OfType<JsonObject>())
                {
                    c.Remove("image");
                }
            }
        }

        if (!JsonNode.DeepEquals(now, before))
        {
            errors.Add(FieldError.Forbidden("spec", ImmutableMessage));
        }
    }

    private static string QosClass(JsonObject spec)
    {
        var containers = (spec["containers"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var anyResources = containers.Any(c => JsonPaths.Obj(c, "resources", "requests")?.Count > 0 || JsonPaths.Obj(c, "resources", "limits")?.Count > 0);
        if (!anyResources)
        {
            return "BestEffort";
        }

        var guaranteed = containers.All(c =>
        {
            var limits = JsonPaths.Obj(c, "resources", "limits");
            var requests = JsonPaths.Obj(c, "resources", "requests") ?? limits;
            return limits?["cpu"] is not null && limits["memory"] is not null
                && JsonNode.DeepEquals(limits["cpu"], requests?["cpu"]) && JsonNode.DeepEquals(limits["memory"], requests?["memory"]);
        });
        return guaranteed ? "Guaranteed" : "Burstable";
    }
}
