using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Strategies;

/// <summary>
/// Roles, ClusterRoles and their bindings (pkg/apis/rbac/validation): a binding needs a roleRef naming a Role or
/// ClusterRole of rbac.authorization.k8s.io, which can never change; subjects need a kind and a name.
/// </summary>
internal sealed class RbacStrategy : ResourceStrategy
{
    public override void Validate(ResourceType type, JsonObject obj, List<FieldError> errors)
    {
        if (type.Kind is "Role" or "ClusterRole")
        {
            var i = 0;
            foreach (var rule in JsonPaths.Arr(obj, "rules") ?? [])
            {
                if ((JsonPaths.Arr(rule, "verbs")?.Count ?? 0) == 0)
                {
                    errors.Add(FieldError.Required($"rules[{i}].verbs", "verbs must contain at least one value"));
                }

                if (type.Kind == "Role" && (JsonPaths.Arr(rule, "nonResourceURLs")?.Count ?? 0) > 0)
                {
                    errors.Add(FieldError.Invalid($"rules[{i}].nonResourceURLs", JsonPaths.Node(rule, "nonResourceURLs"), "namespaced rules cannot apply to non-resource URLs"));
                }

                i++;
            }

            return;
        }

        var roleKind = JsonPaths.Str(obj, "roleRef", "kind");
        if (JsonPaths.Str(obj, "roleRef", "apiGroup") != "rbac.authorization.k8s.io")
        {
            errors.Add(FieldError.NotSupported("roleRef.apiGroup", JsonPaths.Node(obj, "roleRef", "apiGroup"), ["rbac.authorization.k8s.io"]));
        }

        string[] kinds = type.Kind == "RoleBinding" ? ["ClusterRole", "Role"] : ["ClusterRole"];
        if (!kinds.Contains(roleKind))
        {
            errors.Add(FieldError.NotSupported("roleRef.kind", JsonPaths.Node(obj, "roleRef", "kind"), kinds));
        }

        if (string.IsNullOrEmpty(JsonPaths.Str(obj, "roleRef", "name")))
        {
            errors.Add(FieldError.Required("roleRef.name"));
        }

        var s = 0;
        foreach (var subject in JsonPaths.Arr(obj, "subjects") ?? [])
        {
            var kind = JsonPaths.Str(subject, "kind");
            if (kind is not ("User" or "Group" or "ServiceAccount"))
            {
                errors.Add(FieldError.NotSupported($"subjects[{s}].kind", JsonPaths.Node(subject, "kind"), ["ServiceAccount", "User", "Group"]));
            }

            if (string.IsNullOrEmpty(JsonPaths.Str(subject, "name")))
            {
                errors.Add(FieldError.Required($"subjects[{s}].name"));
            }

            if (kind == "ServiceAccount" && type.Kind == "ClusterRoleBinding" && string.IsNullOrEmpty(JsonPaths.Str(subject, "namespace")))
            {
                errors.Add(FieldError.Required($"subjects[{s}].namespace"));
            }

            s++;
        }
    }

    public override void ValidateUpdate(ResourceType type, JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        Validate(type, obj, errors);
        if (type.Kind is "RoleBinding" or "ClusterRoleBinding" && !JsonNode.DeepEquals(obj["roleRef"], old["roleRef"]))
        {
            errors.Add(FieldError.InvalidRaw("roleRef", $"rbac.RoleRef{{APIGroup:\"{JsonPaths.Str(obj, "roleRef", "apiGroup")}\", Kind:\"{JsonPaths.Str(obj, "roleRef", "kind")}\", Name:\"{JsonPaths.Str(obj, "roleRef", "name")}\"}}", "cannot change roleRef"));
        }
    }
}
