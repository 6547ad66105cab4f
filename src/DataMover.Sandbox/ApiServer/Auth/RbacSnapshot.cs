using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Auth;

/// <summary>
/// An immutable index of every binding by subject, built when RBAC objects change, so a request looks up only its
/// own user and groups instead of scanning bindings (what the real authorizer's informer-backed listers give it).
/// </summary>
internal sealed class RbacSnapshot
{
    public const string RolesKey = "rbac.authorization.k8s.io/roles";
    public const string ClusterRolesKey = "rbac.authorization.k8s.io/clusterroles";
    public const string RoleBindingsKey = "rbac.authorization.k8s.io/rolebindings";
    public const string ClusterRoleBindingsKey = "rbac.authorization.k8s.io/clusterrolebindings";

    private RbacSnapshot(Dictionary<(char Kind, string Name), List<RbacGrant>> cluster, Dictionary<(string Ns, char Kind, string Name), List<RbacGrant>> namespaced)
    {
        Cluster = cluster;
        Namespaced = namespaced;
    }

    /// <summary>ClusterRoleBinding grants by ('U' user | 'G' group, name).</summary>
    public Dictionary<(char Kind, string Name), List<RbacGrant>> Cluster { get; }

    /// <summary>RoleBinding grants by (namespace, 'U' | 'G', name).</summary>
    public Dictionary<(string Ns, char Kind, string Name), List<RbacGrant>> Namespaced { get; }

    public static bool IsRbacKey(string key) => key.StartsWith("rbac.authorization.k8s.io/", StringComparison.Ordinal);

    /// <summary>Builds the index; the caller holds the store lock.</summary>
    public static RbacSnapshot Build(ResourceStore store)
    {
        var clusterRoles = new Dictionary<string, List<PolicyRule>>(StringComparer.Ordinal);
        foreach (var (_, role) in store.List(ClusterRolesKey, null))
        {
            clusterRoles[JsonPaths.Name(role)] = PolicyRule.ListFrom(role["rules"]);
        }

        var roles = new Dictionary<(string, string), List<PolicyRule>>();
        foreach (var (_, role) in store.List(RolesKey, null))
        {
            roles[(JsonPaths.Namespace(role) ?? "", JsonPaths.Name(role))] = PolicyRule.ListFrom(role["rules"]);
        }

        var cluster = new Dictionary<(char, string), List<RbacGrant>>();
        foreach (var (_, binding) in store.List(ClusterRoleBindingsKey, null))
        {
            var roleName = JsonPaths.Str(binding, "roleRef", "name") ?? "";
            var kind = JsonPaths.Str(binding, "roleRef", "kind") ?? "";
            clusterRoles.TryGetValue(roleName, out var rules);
            var error = kind == "ClusterRole" && rules is not null ? null : $"clusterrole.rbac.authorization.k8s.io \"{roleName}\" not found";
            foreach (var subject in JsonPaths.Arr(binding, "subjects") ?? [])
            {
                if (SubjectKey(subject, "") is not { } key)
                {
                    continue;
                }

                var source = $"ClusterRoleBinding \"{JsonPaths.Name(binding)}\" of {kind} \"{roleName}\" to {Describe(subject, "")}";
                Add(cluster, key, new RbacGrant(rules ?? [], source, error));
            }
        }

        var namespaced = new Dictionary<(string, char, string), List<RbacGrant>>();
        foreach (var (_, binding) in store.List(RoleBindingsKey, null))
        {
            var ns = JsonPaths.Namespace(binding) ?? "";
            var roleName = JsonPaths.Str(binding, "roleRef", "name") ?? "";
            var kind = JsonPaths.Str(binding, "roleRef", "kind") ?? "";
            List<PolicyRule>? rules = null;
            var found = kind switch
            {
                "ClusterRole" => clusterRoles.TryGetValue(roleName, out rules),
                "Role" => roles.TryGetValue((ns, roleName), out rules),
                _ => false,
            };
            var error = found ? null : $"{kind.ToLowerInvariant()}.rbac.authorization.k8s.io \"{roleName}\" not found";
            foreach (var subject in JsonPaths.Arr(binding, "subjects") ?? [])
            {
                if (SubjectKey(subject, ns) is not { } key)
                {
                    continue;
                }

                var source = $"RoleBinding \"{JsonPaths.Name(binding)}/{ns}\" of {kind} \"{roleName}\" to {Describe(subject, ns)}";
                Add(namespaced, (ns, key.Kind, key.Name), new RbacGrant(rules ?? [], source, error));
            }
        }

        return new RbacSnapshot(cluster, namespaced);
    }

    /// <summary>rbac appliesTo: a ServiceAccount subject is its user name; User and Group as named.</summary>
    private static (char Kind, string Name)? SubjectKey(JsonNode? subject, string bindingNamespace)
    {
        var name = JsonPaths.Str(subject, "name") ?? "";
        switch (JsonPaths.Str(subject, "kind"))
        {
            case "User":
                return ('U', name);
            case "Group":
                return ('G', name);
            case "ServiceAccount":
                var ns = JsonPaths.Str(subject, "namespace") is { Length: > 0 } n ? n : bindingNamespace;
                return ns.Length == 0 ? null : ('U', UserInfo.ServiceAccountUser(ns, name));
            default:
                return null;
        }
    }

    /// <summary>describeSubject in pkg/registry/rbac/validation.</summary>
    private static string Describe(JsonNode? subject, string bindingNamespace)
    {
        var kind = JsonPaths.Str(subject, "kind");
        var name = JsonPaths.Str(subject, "name");
        if (kind == "ServiceAccount")
        {
            var ns = JsonPaths.Str(subject, "namespace") is { Length: > 0 } n ? n : bindingNamespace;
            return $"{kind} \"{name}/{ns}\"";
        }

        return $"{kind} \"{name}\"";
    }

    private static void Add<TKey>(Dictionary<TKey, List<RbacGrant>> index, TKey key, RbacGrant grant)
        where TKey : notnull
    {
        if (!index.TryGetValue(key, out var list))
        {
            index[key] = list = [];
        }

        list.Add(grant);
    }
}
