using System.Text.Json;
using DataMover.Kube.Models;
using KubeNode = DataMover.Kube.Models.Node;

namespace DataMover.Sandbox.ControlPlane;

/// <summary>core/v1 Taint, read from and written to a Node's <c>spec.taints</c> (the Kube models do not declare it).</summary>
internal sealed record Taint
{
    public const string NotReady = "node.kubernetes.io/not-ready";
    public const string Unreachable = "node.kubernetes.io/unreachable";
    public const string Unschedulable = "node.kubernetes.io/unschedulable";
    public const string NoSchedule = "NoSchedule";
    public const string NoExecute = "NoExecute";

    public string Key { get; init; } = "";
    public string? Value { get; init; }
    public string Effect { get; init; } = "";
    public DateTimeOffset? TimeAdded { get; init; }

    public static IReadOnlyList<Taint> Of(KubeNode node) =>
        node.Spec?.Extra is { } extra && extra.TryGetValue("taints", out var json) && json.ValueKind == JsonValueKind.Array
            ? json.Deserialize(TaintJsonContext.Default.ListTaint) ?? []
            : [];

    /// <summary>The node with exactly these taints (the field is dropped when empty, as the API server stores it).</summary>
    public static KubeNode WithTaints(KubeNode node, IReadOnlyList<Taint> taints)
    {
        var spec = (node.Spec ?? new NodeSpec()) with { };
        spec.Extra = new Dictionary<string, JsonElement>(spec.Extra ?? []);
        if (taints.Count == 0)
        {
            spec.Extra.Remove("taints");
        }
        else
        {
            spec.Extra["taints"] = JsonSerializer.SerializeToElement(taints.ToList(), TaintJsonContext.Default.ListTaint);
        }

        return node with { Spec = spec };
    }

    public bool SameAs(Taint other) => Key == other.Key && Effect == other.Effect;
}
