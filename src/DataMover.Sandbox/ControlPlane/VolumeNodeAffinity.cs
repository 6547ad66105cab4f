using System.Text.Json;
using System.Text.Json.Nodes;
using DataMover.Kube.Models;
using KubeNode = DataMover.Kube.Models.Node;

namespace DataMover.Sandbox.ControlPlane;

/// <summary>
/// A PersistentVolume's <c>spec.nodeAffinity.required</c> (node-local volumes such as csi-hostpath's): which nodes
/// can reach it. Terms are ORed, expressions within a term ANDed; label operators In, NotIn, Exists, DoesNotExist.
/// </summary>
internal static class VolumeNodeAffinity
{
    public const string HostnameLabel = "kubernetes.io/hostname";

    /// <summary>The affinity a node-local volume on <paramref name="nodeName"/> carries.</summary>
    public static JsonElement OnNode(string nodeName)
    {
        var affinity = new JsonObject
        {
            ["required"] = new JsonObject
            {
                ["nodeSelectorTerms"] = new JsonArray(new JsonObject
                {
                    ["matchExpressions"] = new JsonArray(new JsonObject
                    {
                        ["key"] = HostnameLabel,
                        ["operator"] = "In",
                        ["values"] = new JsonArray(nodeName),
                    }),
                }),
            },
        };
        using var doc = JsonDocument.Parse(affinity.ToJsonString());
        return doc.RootElement.Clone();
    }

    public static bool Allows(PersistentVolume volume, KubeNode node)
    {
        if (volume.Spec?.Extra is not { } extra || !extra.TryGetValue("nodeAffinity", out var affinity)
            || affinity.ValueKind != JsonValueKind.Object || !affinity.TryGetProperty("required", out var required)
            || !required.TryGetProperty("nodeSelectorTerms", out var terms) || terms.ValueKind != JsonValueKind.Array)
        {
            return true;
        }

        return terms.EnumerateArray().Any(term => Matches(term, node));
    }

    private static bool Matches(JsonElement term, KubeNode node)
    {
        if (!term.TryGetProperty("matchExpressions", out var expressions) || expressions.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        return expressions.EnumerateArray().All(e =>
        {
            var key = e.TryGetProperty("key", out var k) ? k.GetString() ?? "" : "";
            var values = e.TryGetProperty("values", out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(x => x.GetString()).ToList() : [];
            var label = node.Metadata.Label(key);
            return (e.TryGetProperty("operator", out var op) ? op.GetString() : null) switch
            {
                "In" => label is not null && values.Contains(label),
                "NotIn" => label is null || !values.Contains(label),
                "Exists" => label is not null,
                "DoesNotExist" => label is null,
                _ => false,
            };
        });
    }
}
