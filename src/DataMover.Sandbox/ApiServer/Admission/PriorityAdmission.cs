using System.Text.Json.Nodes;
using DataMover.Sandbox.ApiServer.Auth;

namespace DataMover.Sandbox.ApiServer.Admission;

/// <summary>
/// The Priority admission plugin (plugin/pkg/admission/priority) on pod create: a pod naming a priorityClassName gets
/// that PriorityClass's value and preemptionPolicy, and a name that is neither a stored PriorityClass nor one of the
/// two system classes is refused with 403 `no PriorityClass with name X was found`. Without a name the pod keeps
/// priority 0 (the sandbox has no globalDefault lookup).
/// </summary>
internal static class PriorityAdmission
{
    public const string PriorityClassesKey = "scheduling.k8s.io/priorityclasses";

    /// <summary>The system classes the API server always has (scheduling/apis SystemPriorityClasses).</summary>
    private static readonly Dictionary<string, long> SystemClasses = new(StringComparer.Ordinal)
    {
        ["system-node-critical"] = 2000001000,
        ["system-cluster-critical"] = 2000000000,
    };

    public static void Apply(JsonObject pod, ResourceStore store, string displayName)
    {
        var spec = JsonPaths.Ensure(pod, "spec");
        if (JsonPaths.Str(spec, "priorityClassName") is not { Length: > 0 } name)
        {
            return;
        }

        if (SystemClasses.TryGetValue(name, out var system))
        {
            spec["priority"] = system;
            return;
        }

        var priorityClass = store.Get(PriorityClassesKey, null, name)
            ?? throw Forbidden.Of("", "pods", displayName, $"no PriorityClass with name {name} was found");
        spec["priority"] = priorityClass["value"]?.DeepClone() ?? 0;
        if (JsonPaths.Str(priorityClass, "preemptionPolicy") is { Length: > 0 } preemption)
        {
            spec["preemptionPolicy"] = preemption;
        }
    }
}
