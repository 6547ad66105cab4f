using System.Text.Json.Nodes;
using DataMover.Sandbox.ApiServer.Auth;

namespace DataMover.Sandbox.ApiServer.Admission;

/// <summary>
/// OwnerReferencesPermissionEnforcement (plugin/pkg/admission/gc): changing ownerReferences on an update needs
/// delete on the object (creating one may always set them); each ownerReference newly set to blockOwnerDeletion: true
/// needs update on the owner's finalizers subresource, the owner resolved from apiVersion and kind through the served
/// resources and looked up in the object's namespace. pods/status is exempt.
/// </summary>
internal static class OwnerReferencesAdmission
{
    public static void Validate(ResourceType type, string? subresource, JsonObject obj, JsonObject? old, UserInfo user, RbacAuthorizer authorizer, ResourceRegistry registry, string displayName)
    {
        if (type.Key == "/pods" && subresource == "status")
        {
            return;
        }

        var refs = JsonPaths.Arr(obj, "metadata", "ownerReferences");
        var oldRefs = old is null ? null : JsonPaths.Arr(old, "metadata", "ownerReferences");
        var changing = old is null ? (refs?.Count ?? 0) > 0 : !JsonNode.DeepEquals(refs ?? [], oldRefs ?? []);
        if (!changing)
        {
            return;
        }

        var ns = JsonPaths.Namespace(obj) ?? "";
        if (old is not null)
        {
            var delete = authorizer.AuthorizeRequest(new RequestAttributes
            {
                User = user, Verb = "delete", IsResourceRequest = true, ApiGroup = type.Group, ApiVersion = type.Version,
                Resource = type.Plural, Subresource = subresource ?? "", Namespace = ns, Name = JsonPaths.Name(obj),
            });
            if (!delete.Allowed)
            {
                throw Forbidden.Of(type.Group, type.Plural, displayName, $"cannot set an ownerRef on a resource you can't delete: {delete.Reason}, <nil>");
            }
        }

        var oldBlocking = (oldRefs ?? []).Where(r => JsonPaths.Bool(r, "blockOwnerDeletion") == true).Select(r => JsonPaths.Str(r, "uid")).ToHashSet();
        foreach (var reference in refs ?? [])
        {
            if (JsonPaths.Bool(reference, "blockOwnerDeletion") != true || oldBlocking.Contains(JsonPaths.Str(reference, "uid")))
            {
                continue;
            }

            var apiVersion = JsonPaths.Str(reference, "apiVersion") ?? "";
            var kind = JsonPaths.Str(reference, "kind") ?? "";
            var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
            var (group, version) = slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
            var mappings = registry.All.Where(t => t.Group == group && t.Version == version && t.Kind == kind && !t.IsReview).ToList();
            if (mappings.Count == 0)
            {
                throw Forbidden.Of(type.Group, type.Plural, displayName,
                    $"cannot set blockOwnerDeletion in this case because cannot find RESTMapping for APIVersion {apiVersion} Kind {kind}: no matches for kind \"{kind}\" in version \"{apiVersion}\"");
            }

            foreach (var mapping in mappings)
            {
                var finalizers = authorizer.AuthorizeRequest(new RequestAttributes
                {
                    User = user, Verb = "update", IsResourceRequest = true, ApiGroup = group, ApiVersion = version,
                    Resource = mapping.Plural, Subresource = "finalizers", Namespace = ns, Name = JsonPaths.Str(reference, "name") ?? "",
                });
                if (!finalizers.Allowed)
                {
                    throw Forbidden.Of(type.Group, type.Plural, displayName,
                        $"cannot set blockOwnerDeletion if an ownerReference refers to a resource you can't set finalizers on: {finalizers.Reason}, <nil>");
                }
            }
        }
    }
}
