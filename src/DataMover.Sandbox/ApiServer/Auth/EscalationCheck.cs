using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Auth;

/// <summary>
/// RBAC's privilege-escalation prevention (pkg/registry/rbac/*/policybased): a Role or ClusterRole may only be
/// written by someone holding all its permissions (or the escalate verb on it), a binding only by someone holding
/// all the referenced role's permissions (or the bind verb on it). system:masters is exempt (EscalationAllowed).
/// </summary>
internal sealed class EscalationCheck
{
    private const string Group = "rbac.authorization.k8s.io";
    private readonly RbacAuthorizer _authorizer;
    private readonly ResourceStore _store;

    public EscalationCheck(RbacAuthorizer authorizer, ResourceStore store)
    {
        _authorizer = authorizer;
        _store = store;
    }

    /// <summary>Throws 403 (or 404 for a binding to a missing role) when the write would escalate; the caller holds the store lock.</summary>
    public void Check(ResourceType type, UserInfo user, JsonObject obj, JsonObject? old)
    {
        if (type.Group != Group || user.IsPrivileged)
        {
            return;
        }

        var ns = JsonPaths.Namespace(obj) ?? "";
        var name = JsonPaths.Name(obj);
        if (old is not null && OnlyGcFieldsChange(obj, old))
        {
            // IsOnlyMutatingGCFields: finalizers and ownerReferences may change so the garbage collector can work.
            return;
        }

        List<PolicyRule> rules;
        if (type.Kind is "Role" or "ClusterRole")
        {
            if (Authorized(user, "escalate", type.Plural, ns, name))
            {
                return;
            }

            rules = PolicyRule.ListFrom(obj["rules"]);
        }
        else
        {
            var roleKind = JsonPaths.Str(obj, "roleRef", "kind") ?? "";
            var roleName = JsonPaths.Str(obj, "roleRef", "name") ?? "";
            var roleResource = roleKind == "Role" ? "roles" : "clusterroles";
            if (Authorized(user, "bind", roleResource, ns, roleName))
            {
                return;
            }

            // GetRoleReferenceRules: the lister's NotFound passes through.
            var role = roleKind == "Role" ? _store.Get(RbacSnapshot.RolesKey, ns, roleName) : _store.Get(RbacSnapshot.ClusterRolesKey, null, roleName);
            if (role is null)
            {
                var singular = roleKind.ToLowerInvariant();
                throw new ApiException(404, "NotFound", $"{singular}.{Group} \"{roleName}\" not found", new JsonObject { ["name"] = roleName, ["group"] = Group, ["kind"] = singular });
            }

            rules = PolicyRule.ListFrom(role["rules"]);
        }

        var (owned, errors) = _authorizer.RulesFor(user, ns);
        var missing = rules.SelectMany(r => r.Breakdown()).Where(sub => !owned.Any(o => o.Covers(sub))).ToList();
        if (missing.Count == 0)
        {
            if (type.Kind == "ClusterRole" && obj["aggregationRule"] is not null && !HoldsEverything(user))
            {
                // An aggregation rule can gather anything, so it needs full authority (hasAggregationRule).
                throw Forbidden.Of(Group, type.Plural, name, "must have cluster-admin privileges to use the aggregationRule");
            }

            return;
        }

        var descriptions = Compact(missing).Select(r => r.CompactString()).Distinct().OrderBy(d => d, StringComparer.Ordinal);
        var groups = "[" + string.Join(" ", user.Groups.Select(g => "\"" + g + "\"")) + "]";
        var message = $"user \"{user.Name}\" (groups={groups}) is attempting to grant RBAC permissions not currently held:\n{string.Join("\n", descriptions)}";
        if (errors.Count > 0)
        {
            message += "; resolution errors: [" + string.Join(" ", errors) + "]";
        }

        throw Forbidden.Of(Group, type.Plural, name, message);
    }

    private bool HoldsEverything(UserInfo user)
    {
        var (owned, _) = _authorizer.RulesFor(user, "");
        PolicyRule[] full = [new(["*"], ["*"], ["*"], [], []), new(["*"], [], [], [], ["*"])];
        return full.All(rule => owned.Any(o => o.Covers(rule)));
    }

    private bool Authorized(UserInfo user, string verb, string resource, string ns, string name) =>
        _authorizer.Authorize(new RequestAttributes { User = user, Verb = verb, IsResourceRequest = true, ApiGroup = Group, ApiVersion = "v1", Resource = resource, Namespace = ns, Name = name }).Allowed;

    /// <summary>validation.CompactRules: simple rules (one group, one resource, at most one name) merge their verbs.</summary>
    private static List<PolicyRule> Compact(List<PolicyRule> rules)
    {
        var result = new List<PolicyRule>();
        var simple = new Dictionary<(string, string, string), int>();
        foreach (var rule in rules)
        {
            if (rule.ApiGroups.Length == 1 && rule.Resources.Length == 1 && rule.ResourceNames.Length <= 1 && rule.NonResourceUrls.Length == 0)
            {
                var key = (rule.ApiGroups[0], rule.Resources[0], rule.ResourceNames.FirstOrDefault() ?? "");
                if (simple.TryGetValue(key, out var index))
                {
                    result[index] = result[index] with { Verbs = [.. result[index].Verbs, .. rule.Verbs] };
                    continue;
                }

                simple[key] = result.Count;
            }

            result.Add(rule);
        }

        return result;
    }

    private static bool OnlyGcFieldsChange(JsonObject obj, JsonObject old)
    {
        var a = JsonPaths.Clone(obj);
        var b = JsonPaths.Clone(old);
        foreach (var o in new[] { a, b })
        {
            var meta = JsonPaths.Meta(o);
            foreach (var field in new[] { "finalizers", "ownerReferences", "resourceVersion", "managedFields", "generation" })
            {
                meta.Remove(field);
            }
        }

        return JsonNode.DeepEquals(a, b);
    }
}
