using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Auth;

/// <summary>
/// The roles and bindings kube-apiserver reconciles at start (plugin/pkg/auth/authorizer/rbac/bootstrappolicy):
/// cluster-admin for system:masters, the discovery, basic-user and public-info-viewer roles for every
/// authenticated (and the public info for unauthenticated) user, and the aggregated admin/edit/view roles with the
/// system:aggregate-to-* base rules, trimmed to the API groups the sandbox serves.
/// </summary>
internal static class BootstrapPolicy
{
    private const string Aggregate = "rbac.authorization.k8s.io/aggregate-to-";
    private static readonly string[] ReadVerbs = ["get", "list", "watch"];
    private static readonly string[] WriteVerbs = ["create", "delete", "deletecollection", "patch", "update"];
    private static readonly string[] AllVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    public static IEnumerable<JsonObject> ClusterRoles()
    {
        yield return Role("cluster-admin", null, null, Rule(["*"], ["*"], ["*"]), Urls(["*"], ["*"]));
        yield return Role("system:discovery", null, null,
            Urls(["get"], ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"]));
        yield return Role("system:basic-user", null, null,
            Rule(["create"], ["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
            Rule(["create"], ["authentication.k8s.io"], ["selfsubjectreviews"]));
        yield return Role("system:public-info-viewer", null, null, Urls(["get"], ["/healthz", "/livez", "/readyz", "/version", "/version/"]));
        yield return Role("admin", null, "admin");
        yield return Role("edit", "admin", "edit");
        yield return Role("view", "edit", "view");
        yield return Role("system:aggregate-to-admin", "admin", null,
            Rule(["create"], ["authorization.k8s.io"], ["localsubjectaccessreviews"]),
            Rule(AllVerbs, ["rbac.authorization.k8s.io"], ["rolebindings", "roles"]));
        yield return Role("system:aggregate-to-edit", "edit", null,
            Rule(ReadVerbs, [""], ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"]),
            Rule(["impersonate"], [""], ["serviceaccounts"]),
            Rule(WriteVerbs, [""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"]),
            Rule(["create"], [""], ["pods/eviction"]),
            Rule(WriteVerbs, [""], ["configmaps", "events", "persistentvolumeclaims", "replicationcontrollers", "replicationcontrollers/scale", "secrets", "serviceaccounts", "services", "services/proxy"]),
            Rule(["create"], [""], ["serviceaccounts/token"]),
            Rule(WriteVerbs, ["batch"], ["cronjobs", "jobs"]));
        yield return Role("system:aggregate-to-view", "view", null,
            Rule(ReadVerbs, [""], ["configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/status"]),
            Rule(ReadVerbs, [""], ["bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status", "replicationcontrollers/status", "resourcequotas", "resourcequotas/status"]),
            Rule(ReadVerbs, [""], ["namespaces"]),
            Rule(ReadVerbs, ["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"]));
    }

    public static IEnumerable<JsonObject> ClusterRoleBindings()
    {
        yield return Binding("cluster-admin", "cluster-admin", UserInfo.Masters);
        yield return Binding("system:discovery", "system:discovery", UserInfo.Authenticated);
        yield return Binding("system:basic-user", "system:basic-user", UserInfo.Authenticated);
        yield return Binding("system:public-info-viewer", "system:public-info-viewer", UserInfo.Authenticated, UserInfo.Unauthenticated);
    }

    private static JsonObject Role(string name, string? aggregateTo, string? aggregates, params JsonObject[] rules)
    {
        var labels = new JsonObject { ["kubernetes.io/bootstrapping"] = "rbac-defaults" };
        if (aggregateTo is not null)
        {
            labels[Aggregate + aggregateTo] = "true";
        }

        var role = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["labels"] = labels,
                ["annotations"] = new JsonObject { ["rbac.authorization.kubernetes.io/autoupdate"] = "true" },
            },
            ["rules"] = new JsonArray(rules.Select(r => (JsonNode)r).ToArray()),
        };
        if (aggregates is not null)
        {
            role["aggregationRule"] = new JsonObject
            {
                ["clusterRoleSelectors"] = new JsonArray(new JsonObject { ["matchLabels"] = new JsonObject { [Aggregate + aggregates] = "true" } }),
            };
        }

        return role;
    }

    private static JsonObject Binding(string name, string role, params string[] groups) => new()
    {
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["labels"] = new JsonObject { ["kubernetes.io/bootstrapping"] = "rbac-defaults" },
            ["annotations"] = new JsonObject { ["rbac.authorization.kubernetes.io/autoupdate"] = "true" },
        },
        ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "ClusterRole", ["name"] = role },
        ["subjects"] = new JsonArray(groups.Select(g => (JsonNode)new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "Group", ["name"] = g }).ToArray()),
    };

    private static JsonObject Rule(string[] verbs, string[] groups, string[] resources) =>
        new PolicyRule(verbs, groups, resources, [], []).ToJson();

    private static JsonObject Urls(string[] verbs, string[] urls) => new PolicyRule(verbs, [], [], [], urls).ToJson();
}
