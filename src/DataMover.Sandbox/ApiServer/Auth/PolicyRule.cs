using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Auth;

/// <summary>An rbac.authorization.k8s.io/v1 PolicyRule, matched as pkg/registry/rbac/validation's RuleAllows does.</summary>
internal sealed record PolicyRule(string[] Verbs, string[] ApiGroups, string[] Resources, string[] ResourceNames, string[] NonResourceUrls)
{
    public static PolicyRule From(JsonNode? node) => new(
        Strings(node, "verbs"), Strings(node, "apiGroups"), Strings(node, "resources"), Strings(node, "resourceNames"), Strings(node, "nonResourceURLs"));

    public static List<PolicyRule> ListFrom(JsonNode? rules) =>
        rules is JsonArray array ? array.Select(From).ToList() : [];

    public bool Allows(RequestAttributes a)
    {
        if (a.IsResourceRequest)
        {
            return VerbMatches(a.Verb) && Has(ApiGroups, a.ApiGroup) && ResourceMatches(a.Resource, a.Subresource)
                && (ResourceNames.Length == 0 || Array.IndexOf(ResourceNames, a.Name) >= 0);
        }

        return VerbMatches(a.Verb) && UrlMatches(a.Path);
    }

    private bool VerbMatches(string verb) => Has(Verbs, verb);

    private bool ResourceMatches(string resource, string subresource)
    {
        foreach (var r in Resources)
        {
            if (r == "*")
            {
                return true;
            }

            if (subresource.Length == 0)
            {
                if (r == resource)
                {
                    return true;
                }

                continue;
            }

            // resource/subresource exactly, or */subresource for any resource's subresource.
            if (r.Length == resource.Length + 1 + subresource.Length && r.StartsWith(resource, StringComparison.Ordinal)
                && r[resource.Length] == '/' && r.EndsWith(subresource, StringComparison.Ordinal))
            {
                return true;
            }

            if (r.Length == subresource.Length + 2 && r.StartsWith("*/", StringComparison.Ordinal) && r.EndsWith(subresource, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private bool UrlMatches(string path)
    {
        foreach (var u in NonResourceUrls)
        {
            if (u == "*" || u == path || (u.EndsWith('*') && path.StartsWith(u.AsSpan(0, u.Length - 1), StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Has(string[] values, string value)
    {
        foreach (var v in values)
        {
            if (v == "*" || v == value)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>validation.BreakdownRule: one rule per group × resource × verb (× name), and per URL × verb.</summary>
    public IEnumerable<PolicyRule> Breakdown()
    {
        foreach (var group in ApiGroups)
        {
            foreach (var resource in Resources)
            {
                foreach (var verb in Verbs)
                {
                    if (ResourceNames.Length > 0)
                    {
                        foreach (var name in ResourceNames)
                        {
                            yield return new PolicyRule([verb], [group], [resource], [name], []);
                        }
                    }
                    else
                    {
                        yield return new PolicyRule([verb], [group], [resource], [], []);
                    }
                }
            }
        }

        foreach (var url in NonResourceUrls)
        {
            foreach (var verb in Verbs)
            {
                yield return new PolicyRule([verb], [], [], [], [url]);
            }
        }
    }

    /// <summary>validation.ruleCovers: whether this (owner) rule grants everything <paramref name="sub"/> (a broken-down rule) does.</summary>
    public bool Covers(PolicyRule sub)
    {
        var verbs = Verbs.Contains("*") || sub.Verbs.All(Verbs.Contains);
        var groups = ApiGroups.Contains("*") || sub.ApiGroups.All(ApiGroups.Contains);
        var resources = Resources.Contains("*") || sub.Resources.All(r => Resources.Contains(r) || (r.Contains('/') && Resources.Contains("*/" + r[(r.IndexOf('/') + 1)..])));
        var urls = sub.NonResourceUrls.All(u => NonResourceUrls.Any(o => o == u || (o.EndsWith('*') && u.StartsWith(o.TrimEnd('*'), StringComparison.Ordinal))));
        var names = sub.ResourceNames.Length == 0 ? ResourceNames.Length == 0 : ResourceNames.Length == 0 || sub.ResourceNames.All(ResourceNames.Contains);
        return verbs && groups && resources && names && urls;
    }

    /// <summary>rbacv1helpers.CompactString, as escalation errors print rules: {APIGroups:["x"], Resources:["y"], Verbs:["get"]}.</summary>
    public string CompactString()
    {
        var parts = new List<string>();
        void Add(string field, string[] values)
        {
            if (values.Length > 0)
            {
                parts.Add(field + ":[" + string.Join(" ", values.Select(v => "\"" + v + "\"")) + "]");
            }
        }

        Add("APIGroups", ApiGroups);
        Add("Resources", Resources);
        Add("NonResourceURLs", NonResourceUrls);
        Add("ResourceNames", ResourceNames);
        Add("Verbs", Verbs);
        return "{" + string.Join(", ", parts) + "}";
    }

    public JsonObject ToJson()
    {
        var o = new JsonObject { ["verbs"] = JsonPaths.StringArray(Verbs) };
        if (ApiGroups.Length > 0)
        {
            o["apiGroups"] = JsonPaths.StringArray(ApiGroups);
        }

        if (Resources.Length > 0)
        {
            o["resources"] = JsonPaths.StringArray(Resources);
        }

        if (ResourceNames.Length > 0)
        {
            o["resourceNames"] = JsonPaths.StringArray(ResourceNames);
        }

        if (NonResourceUrls.Length > 0)
        {
            o["nonResourceURLs"] = JsonPaths.StringArray(NonResourceUrls);
        }

        return o;
    }

    public bool SameAs(PolicyRule other) =>
        Verbs.SequenceEqual(other.Verbs) && ApiGroups.SequenceEqual(other.ApiGroups) && Resources.SequenceEqual(other.Resources)
        && ResourceNames.SequenceEqual(other.ResourceNames) && NonResourceUrls.SequenceEqual(other.NonResourceUrls);

    private static string[] Strings(JsonNode? node, string field) =>
        JsonPaths.Arr(node, field)?.Select(v => v?.GetValue<string>() ?? "").ToArray() ?? [];
}
