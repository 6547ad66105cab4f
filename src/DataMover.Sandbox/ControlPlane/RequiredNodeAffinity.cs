using System.Globalization;
using System.Text.Json;
using DataMover.Kube.Models;
using KubeNode = DataMover.Kube.Models.Node;

namespace DataMover.Sandbox.ControlPlane;

/// <summary>
/// The NodeAffinity filter's required part (component-helpers nodeaffinity.GetRequiredNodeAffinity): a pod's
/// requiredDuringSchedulingIgnoredDuringExecution nodeSelectorTerms are ORed, each term's matchExpressions (on
/// labels) and matchFields (metadata.name only) ANDed; a term with no requirements matches nothing.
/// </summary>
internal static class RequiredNodeAffinity
{
    public static bool Allows(Pod pod, KubeNode node)
    {
        if (pod.Spec?.Affinity?.Extra is not { } affinity
            || !affinity.TryGetValue("nodeAffinity", out var nodeAffinity) || nodeAffinity.ValueKind != JsonValueKind.Object
            || !nodeAffinity.TryGetProperty("requiredDuringSchedulingIgnoredDuringExecution", out var required) || required.ValueKind != JsonValueKind.Object
            || !required.TryGetProperty("nodeSelectorTerms", out var terms) || terms.ValueKind != JsonValueKind.Array)
        {
            return true;
        }

        return terms.EnumerateArray().Any(term => TermMatches(term, node));
    }

    private static bool TermMatches(JsonElement term, KubeNode node)
    {
        var expressions = Requirements(term, "matchExpressions");
        var fields = Requirements(term, "matchFields");
        if (expressions.Count + fields.Count == 0)
        {
            return false;
        }

        return expressions.All(r => Matches(r, node.Metadata.Label(r.Key)))
            && fields.All(r => r.Key == "metadata.name" && Matches(r, node.Metadata.Name));
    }

    private static List<(string Key, string Operator, List<string> Values)> Requirements(JsonElement term, string property) =>
        term.ValueKind == JsonValueKind.Object && term.TryGetProperty(property, out var list) && list.ValueKind == JsonValueKind.Array
            ? [.. list.EnumerateArray().Select(r => (
                Key: Str(r, "key"),
                Operator: Str(r, "operator"),
                Values: r.TryGetProperty("values", out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(x => x.GetString() ?? "").ToList() : []))]
            : [];

    private static bool Matches((string Key, string Operator, List<string> Values) r, string? value) => r.Operator switch
    {
        "In" => value is not null && r.Values.Contains(value),
        "NotIn" => value is null || !r.Values.Contains(value),
        "Exists" => value is not null,
        "DoesNotExist" => value is null,
        "Gt" => Compare(value, r.Values) is > 0,
        "Lt" => Compare(value, r.Values) is < 0,
        _ => false,
    };

    private static int? Compare(string? value, List<string> values) =>
        value is not null && values.Count == 1
        && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var have)
        && long.TryParse(values[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var want)
            ? have.CompareTo(want)
            : null;

    private static string Str(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";
}
