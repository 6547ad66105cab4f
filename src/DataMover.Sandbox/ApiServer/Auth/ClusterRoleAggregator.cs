using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Auth;

/// <summary>
/// The clusterrole-aggregation controller (pkg/controller/clusterroleaggregation): a ClusterRole with
/// aggregationRule.clusterRoleSelectors gets the union of the rules of every ClusterRole its selectors match
/// (sorted by name, duplicates dropped). Runs in the same write that changed a ClusterRole (see docs), repeating
/// until chains such as view → edit → admin settle.
/// </summary>
internal static class ClusterRoleAggregator
{
    /// <summary>Recomputes aggregated roles; the caller holds the store lock. Returns whether anything changed.</summary>
    public static bool Run(ResourceStore store)
    {
        var changed = false;
        for (var pass = 0; pass < 20; pass++)
        {
            var roles = store.List(RbacSnapshot.ClusterRolesKey, null).Select(kv => kv.Value).OrderBy(JsonPaths.Name, StringComparer.Ordinal).ToList();
            var passChanged = false;
            foreach (var role in roles)
            {
                if (JsonPaths.Arr(role, "aggregationRule", "clusterRoleSelectors") is not { } selectors)
                {
                    continue;
                }

                var rules = new List<JsonNode>();
                foreach (var other in roles)
                {
                    if (JsonPaths.Name(other) == JsonPaths.Name(role) || !selectors.Any(s => Matches(s, JsonPaths.StringMap(JsonPaths.Node(other, "metadata", "labels")))))
                    {
                        continue;
                    }

                    foreach (var rule in JsonPaths.Arr(other, "rules") ?? [])
                    {
                        if (rule is not null && !rules.Any(r => JsonNode.DeepEquals(r, rule)))
                        {
                            rules.Add(rule.DeepClone());
                        }
                    }
                }

                var updated = new JsonArray([.. rules]);
                if (JsonNode.DeepEquals(updated, role["rules"] ?? new JsonArray()))
                {
                    continue;
                }

                var copy = JsonPaths.Clone(role);
                copy["rules"] = updated;
                store.Put(RbacSnapshot.ClusterRolesKey, copy, role);
                passChanged = true;
                changed = true;
            }

            if (!passChanged)
            {
                break;
            }
        }

        return changed;
    }

    private static bool Matches(JsonNode? selector, Dictionary<string, string> labels)
    {
        foreach (var (key, value) in JsonPaths.StringMap(JsonPaths.Node(selector, "matchLabels")))
        {
            if (!labels.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }

        foreach (var expression in JsonPaths.Arr(selector, "matchExpressions") ?? [])
        {
            var key = JsonPaths.Str(expression, "key") ?? "";
            var values = JsonPaths.Arr(expression, "values")?.Select(v => v?.GetValue<string>()).ToList() ?? [];
            var has = labels.TryGetValue(key, out var actual);
            var ok = JsonPaths.Str(expression, "operator") switch
            {
                "In" => has && values.Contains(actual),
                "NotIn" => !has || !values.Contains(actual),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
