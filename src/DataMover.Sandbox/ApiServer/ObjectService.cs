using System.Globalization;
using System.Text.Json.Nodes;
using DataMover.Sandbox.ApiServer.Admission;
using DataMover.Sandbox.ApiServer.Auth;
using DataMover.Sandbox.ApiServer.Crd;
using DataMover.Sandbox.ApiServer.Patching;

namespace DataMover.Sandbox.ApiServer;

/// <summary>
/// The generic registry: create/update/patch/delete with the apiserver's metadata rules
/// (uid, generation, resourceVersion preconditions, finalizers, graceful deletion, dryRun),
/// delegating kind-specific behaviour to each type's strategy. Every operation runs under the
/// store lock, so checks and writes are atomic.
/// </summary>
internal sealed class ObjectService
{
    private static readonly string[] UndeletableNamespaces = ["default", "kube-system", "kube-public"];
    private readonly ResourceStore _store;
    private readonly ResourceRegistry _registry;

    public ObjectService(ResourceStore store, ResourceRegistry registry)
    {
        _store = store;
        _registry = registry;
    }

    /// <summary>Set by <see cref="CrdController"/>; told about every stored CRD and custom-resource change.</summary>
    public CrdController? Crds { get; set; }

    public ResourceStore Store => _store;

    /// <summary>Set at start; told about RBAC changes and consulted by admission for the requesting user.</summary>
    public RbacAuthorizer? Authorizer { get; set; }

    public EscalationCheck? Escalation { get; set; }

    /// <summary>The OwnerReferencesPermissionEnforcement admission plugin (on by default, as the sandbox models a hardened cluster).</summary>
    public bool OwnerReferencesPermissionEnforcement { get; set; } = true;

    /// <summary>The cluster CA (PEM) published in every namespace's kube-root-ca.crt ConfigMap.</summary>
    public string RootCaPem { get; set; } = "";

    public JsonObject? Get(ResourceType type, string? ns, string name)
    {
        lock (_store.Gate)
        {
            var stored = _store.Get(type.Key, ns, name);
            return stored is null ? null : Present(type, stored);
        }
    }

    /// <summary>The object as a client of this group/version sees it: converted, defaulted, never the stored instance.</summary>
    public static JsonObject Present(ResourceType type, JsonObject stored)
    {
        var obj = type.Converter is { } converter ? converter.FromStorage(stored) : JsonPaths.Clone(stored);
        obj["apiVersion"] = type.ApiVersion;
        obj["kind"] = type.Kind;
        if (type.Custom?.Schema is { } schema)
        {
            SchemaDefaulter.Apply(obj, schema);
        }

        return MoveTypeMetaFirst(obj);
    }

    public JsonObject Create(ResourceType type, string? ns, JsonObject body, WriteOptions options)
    {
        var obj = Incoming(type, ns, body);
        RejectResourceVersionOnCreate(obj);
        lock (_store.Gate)
        {
            return CreateLocked(type, obj, options);
        }
    }

    public JsonObject Update(ResourceType type, string? ns, string name, string? subresource, JsonObject body, WriteOptions options)
    {
        var bodyName = JsonPaths.Str(body, "metadata", "name");
        if (!string.IsNullOrEmpty(bodyName) && bodyName != name)
        {
            throw ApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        }

        JsonPaths.Meta(body)["name"] = name;
        var obj = Incoming(type, ns, body);
        lock (_store.Gate)
        {
            var old = _store.Get(type.Key, ns, name);
            if (old is null)
            {
                if (type.AllowCreateOnUpdate && subresource is null)
                {
                    return CreateLocked(type, obj, options);
                }

                throw ApiException.NotFound(type, name);
            }

            var rv = JsonPaths.Str(obj, "metadata", "resourceVersion");
            if (string.IsNullOrEmpty(rv))
            {
                if (!type.AllowUnconditionalUpdate)
                {
                    throw ApiException.Invalid(type, name, [FieldError.InvalidRaw("metadata.resourceVersion", "0x0", "must be specified for an update")]);
                }
            }
            else if (rv != JsonPaths.Str(old, "metadata", "resourceVersion"))
            {
                throw ApiException.StaleUpdate(type, name);
            }

            return UpdateLocked(type, old, obj, subresource, options);
        }
    }

    /// <summary>Patches the current object with <paramref name="patch"/> (which sees the client's version) and updates it.</summary>
    public JsonObject Patch(ResourceType type, string? ns, string name, string? subresource, Func<JsonObject, JsonObject> patch, Func<JsonObject>? createIfMissing, WriteOptions options)
    {
        lock (_store.Gate)
        {
            var old = _store.Get(type.Key, ns, name);
            if (old is null)
            {
                if (createIfMissing is not null && subresource is null)
                {
                    var created = Incoming(type, ns, createIfMissing());
                    RejectResourceVersionOnCreate(created);
                    if (JsonPaths.Name(created) != name)
                    {
                        throw ApiException.BadRequest($"the name of the object ({JsonPaths.Name(created)}) does not match the name on the URL ({name})");
                    }

                    return CreateLocked(type, created, options);
                }

                throw ApiException.NotFound(type, name);
            }

            var patched = patch(Present(type, old));
            if (JsonPaths.Str(patched, "metadata", "name") != name)
            {
                throw ApiException.BadRequest($"the name of the object ({JsonPaths.Str(patched, "metadata", "name")}) does not match the name on the URL ({name})");
            }

            var rv = JsonPaths.Str(patched, "metadata", "resourceVersion");
            if (!string.IsNullOrEmpty(rv) && rv != JsonPaths.Str(old, "metadata", "resourceVersion"))
            {
                throw ApiException.StaleUpdate(type, name);
            }

            return UpdateLocked(type, old, Incoming(type, ns, patched), subresource, options);
        }
    }

    public DeleteOutcome Delete(ResourceType type, string? ns, string name, DeleteRequest request, WriteOptions options)
    {
        lock (_store.Gate)
        {
            var old = _store.Get(type.Key, ns, name) ?? throw ApiException.NotFound(type, name);
            return DeleteLocked(type, old, request, options);
        }
    }

    public List<JsonObject> DeleteCollection(ResourceType type, string? ns, Func<JsonObject, bool> filter, DeleteRequest request, WriteOptions options)
    {
        lock (_store.Gate)
        {
            var matches = _store.List(type.Key, ns).Select(kv => kv.Value).Where(filter).ToList();
            return matches.Select(m => Present(type, DeleteLocked(type, m, request, options).Object)).ToList();
        }
    }

    /// <summary>pods/binding: the scheduler's way to set spec.nodeName, which a pod update may not change.</summary>
    public void Bind(ResourceType type, string ns, string name, string node, JsonObject? annotations)
    {
        lock (_store.Gate)
        {
            var old = _store.Get(type.Key, ns, name) ?? throw ApiException.NotFound(type, name);
            if (JsonPaths.IsDeleting(old))
            {
                throw new ApiException(409, "Conflict", $"Operation cannot be fulfilled on pods/binding \"{name}\": pod {name} is being deleted, cannot be assigned to a host");
            }

            if (JsonPaths.Str(old, "spec", "nodeName") is { Length: > 0 } assigned)
            {
                throw new ApiException(409, "Conflict", $"Operation cannot be fulfilled on pods/binding \"{name}\": pod {name} is already assigned to node \"{assigned}\"", new JsonObject { ["name"] = name, ["kind"] = "pods/binding" });
            }

            var updated = JsonPaths.Clone(old);
            JsonPaths.Ensure(updated, "spec")["nodeName"] = node;
            if (annotations is not null)
            {
                var target = JsonPaths.Ensure(JsonPaths.Meta(updated), "annotations");
                foreach (var (k, v) in annotations)
                {
                    target[k] = v?.DeepClone();
                }
            }

            var status = JsonPaths.Ensure(updated, "status");
            var conditions = status["conditions"] as JsonArray ?? [];
            foreach (var existing in conditions.Where(c => JsonPaths.Str(c, "type") == "PodScheduled").ToList())
            {
                conditions.Remove(existing);
            }

            conditions.Add(new JsonObject { ["type"] = "PodScheduled", ["status"] = "True", ["lastProbeTime"] = null, ["lastTransitionTime"] = JsonPaths.Now() });
            status["conditions"] = conditions;
            _store.Put(type.Key, updated, old);
        }
    }

    internal JsonObject CreateLocked(ResourceType type, JsonObject obj, WriteOptions options)
    {
        var meta = JsonPaths.Meta(obj);
        var ns = JsonPaths.Namespace(obj);
        if (type.Namespaced && ns is not null)
        {
            CheckNamespaceAdmits(type, ns, JsonPaths.Name(obj));
        }

        var generateName = string.IsNullOrEmpty(JsonPaths.Str(meta, "name")) ? JsonPaths.Str(meta, "generateName") : null;
        if (!string.IsNullOrEmpty(generateName))
        {
            meta["name"] = GeneratedName.From(generateName);
        }

        meta["uid"] = Guid.NewGuid().ToString();
        meta["creationTimestamp"] = JsonPaths.Now();
        meta.Remove("resourceVersion");
        meta.Remove("deletionTimestamp");
        meta.Remove("deletionGracePeriodSeconds");
        meta.Remove("selfLink");
        if (!options.WritesManagedFields)
        {
            meta.Remove("managedFields");
        }

        if (type.TracksGeneration)
        {
            meta["generation"] = 1;
        }
        else
        {
            meta.Remove("generation");
        }

        PruneAndDefault(type, obj, options);

        // The field manager sees the request (after decoding defaults), not what the strategy adds.
        if (options.FieldManager is { } manager && !options.WritesManagedFields)
        {
            var managed = ManagedFields.Read(null);
            managed.RecordUpdate(null, obj, manager, null, type.ApiVersion);
            managed.Write(obj);
        }

        var displayName = !string.IsNullOrEmpty(generateName) ? generateName : JsonPaths.Name(obj) is { Length: > 0 } given ? given : "Unknown";
        if (options.User is { } requester)
        {
            // The policy-based RBAC storage checks escalation before the object is even validated.
            Escalation?.Check(type, requester, obj, null);
        }

        type.Strategy.PrepareForCreate(type, obj);
        if (type.Key == "/persistentvolumeclaims")
        {
            DefaultStorageClassAdmission.Apply(obj, _store);
        }
        else if (type.Key == "/pods")
        {
            ServiceAccountAdmission.Apply(obj, _store, displayName);
            PriorityAdmission.Apply(obj, _store, displayName);
        }

        var errors = new List<FieldError>();
        ObjectMetaValidator.Validate(type, obj, errors);
        type.Strategy.Validate(type, obj, errors);
        if (errors.Count > 0)
        {
            throw ApiException.Invalid(type, JsonPaths.Name(obj), errors);
        }

        if (options.User is { } user && OwnerReferencesPermissionEnforcement && Authorizer is { } authorizer)
        {
            OwnerReferencesAdmission.Validate(type, null, obj, null, user, authorizer, _registry, displayName);
        }

        var name = JsonPaths.Name(obj);
        for (var attempt = 1; !string.IsNullOrEmpty(generateName) && attempt < GeneratedName.MaxAttempts && _store.Get(type.Key, ns, name) is not null; attempt++)
        {
            // The registry retries a generated name that collides (RetryGenerateName); the suffix never changes validity.
            name = GeneratedName.From(generateName);
            meta["name"] = name;
        }

        if (_store.Get(type.Key, ns, name) is not null)
        {
            throw string.IsNullOrEmpty(generateName) ? ApiException.AlreadyExists(type, name) : ApiException.GenerateNameConflict(type, name);
        }

        if (options.DryRun)
        {
            return Present(type, obj);
        }

        var stored = _store.Put(type.Key, MoveTypeMetaFirst(obj), null);
        Crds?.AfterWrite(type, stored);
        AfterRbacChange(type);
        if (type.Key == "/namespaces")
        {
            CreateNamespaceDefaults(JsonPaths.Name(stored));
        }

        return Present(type, stored);
    }

    private JsonObject UpdateLocked(ResourceType type, JsonObject old, JsonObject obj, string? subresource, WriteOptions options)
    {
        var name = JsonPaths.Name(old);
        JsonObject updated;
        if (subresource == "status")
        {
            updated = JsonPaths.Clone(old);
            if (obj["status"] is { } status)
            {
                updated["status"] = status.DeepClone();
            }
            else
            {
                updated.Remove("status");
            }

            if (!type.IsCustom)
            {
                // Built-in status strategies still let metadata (labels, annotations) change.
                var meta = JsonPaths.Meta(updated);
                meta["labels"] = JsonPaths.Node(obj, "metadata", "labels")?.DeepClone();
                meta["annotations"] = JsonPaths.Node(obj, "metadata", "annotations")?.DeepClone();
                RemoveNulls(meta);
            }

            PruneAndDefault(type, updated, options);
        }
        else if (subresource == "finalize")
        {
            updated = JsonPaths.Clone(old);
            JsonPaths.Ensure(updated, "spec")["finalizers"] = JsonPaths.Node(obj, "spec", "finalizers")?.DeepClone() ?? new JsonArray();
        }
        else
        {
            updated = obj;
            var meta = JsonPaths.Meta(updated);
            var oldMeta = JsonPaths.Meta(old);
            foreach (var field in new[] { "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation" })
            {
                meta[field] = oldMeta[field]?.DeepClone();
            }

            var uid = JsonPaths.Str(meta, "uid");
            if (!string.IsNullOrEmpty(uid) && uid != JsonPaths.Uid(old))
            {
                throw ApiException.Conflict(type, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {JsonPaths.Uid(old)}");
            }

            meta["uid"] = JsonPaths.Uid(old);
            meta.Remove("selfLink");
            if (!options.WritesManagedFields)
            {
                meta["managedFields"] = oldMeta["managedFields"]?.DeepClone();
            }
            RemoveNulls(meta);
            if (type.HasStatus)
            {
                if (old["status"] is { } oldStatus)
                {
                    updated["status"] = oldStatus.DeepClone();
                }
                else
                {
                    updated.Remove("status");
                }
            }

            PruneAndDefault(type, updated, options);
            type.Strategy.PrepareForUpdate(type, updated, old);
            if (type.TracksGeneration && SpecChanged(type, updated, old))
            {
                meta["generation"] = (JsonPaths.Long(old, "metadata", "generation") ?? 0) + 1;
            }
        }

        if (options.User is { } requester && subresource is null)
        {
            Escalation?.Check(type, requester, updated, old);
        }

        var errors = new List<FieldError>();
        ObjectMetaValidator.ValidateUpdate(type, updated, old, errors);
        type.Strategy.ValidateUpdate(type, updated, old, errors);
        if (errors.Count > 0)
        {
            throw ApiException.Invalid(type, name, errors);
        }

        if (options.User is { } user && OwnerReferencesPermissionEnforcement && Authorizer is { } authorizer)
        {
            OwnerReferencesAdmission.Validate(type, subresource, updated, old, user, authorizer, _registry, name);
        }

        JsonPaths.Meta(updated)["resourceVersion"] = JsonPaths.Str(old, "metadata", "resourceVersion");
        if (options.FieldManager is { } manager && !options.WritesManagedFields)
        {
            JsonPaths.Meta(updated)["managedFields"] = JsonPaths.Node(old, "metadata", "managedFields")?.DeepClone();
            var managed = ManagedFields.Read(old);
            if (managed.RecordUpdate(old, updated, manager, subresource, type.ApiVersion))
            {
                managed.Write(updated);
            }
            else
            {
                RemoveNulls(JsonPaths.Meta(updated));
            }
        }

        updated = MoveTypeMetaFirst(updated);
        if (JsonNode.DeepEquals(updated, old))
        {
            // A no-op update writes nothing and keeps the resourceVersion, as etcd3's GuaranteedUpdate does.
            return Present(type, old);
        }

        if (options.DryRun)
        {
            return Present(type, updated);
        }

        if (JsonPaths.IsDeleting(updated) && JsonPaths.Finalizers(updated).Count == 0 && ReadyToRemove(type, updated))
        {
            var removed = _store.Remove(type.Key, updated);
            Crds?.AfterRemove(type, removed);
            AfterRbacChange(type);
            return Present(type, removed);
        }

        var stored = _store.Put(type.Key, updated, old);
        Crds?.AfterWrite(type, stored);
        AfterRbacChange(type);
        return Present(type, stored);
    }

    internal DeleteOutcome DeleteLocked(ResourceType type, JsonObject old, DeleteRequest request, WriteOptions options)
    {
        var name = JsonPaths.Name(old);
        if (request.PreconditionUid is { } uid && uid != JsonPaths.Uid(old))
        {
            throw ApiException.Conflict(type, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {JsonPaths.Uid(old)}");
        }

        if (request.PreconditionResourceVersion is { } rv && rv != JsonPaths.Str(old, "metadata", "resourceVersion"))
        {
            throw ApiException.Conflict(type, name, $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {JsonPaths.Str(old, "metadata", "resourceVersion")}");
        }

        if (type.Key == "/namespaces" && UndeletableNamespaces.Contains(name))
        {
            throw ApiException.Forbidden(type, name, "this namespace may not be deleted");
        }

        var updated = JsonPaths.Clone(old);
        var meta = JsonPaths.Meta(updated);
        var finalizers = JsonPaths.Finalizers(updated);
        var policy = request.PropagationPolicy
            ?? (request.OrphanDependents is { } orphan ? (orphan ? "Orphan" : "Background") : null)
            ?? (JsonPaths.IsDeleting(old) ? null : type.DefaultPropagation);
        switch (policy)
        {
            case "Orphan":
                finalizers.Remove("foregroundDeletion");
                AddOnce(finalizers, "orphan");
                break;
            case "Foreground":
                finalizers.Remove("orphan");
                AddOnce(finalizers, "foregroundDeletion");
                break;
            case "Background":
                finalizers.Remove("orphan");
                finalizers.Remove("foregroundDeletion");
                break;
            case null:
                break;
            default:
                throw ApiException.Invalid(type, name, [FieldError.NotSupported("propagationPolicy", JsonValue.Create(policy), ["Foreground", "Background", "Orphan", "nil"])]);
        }

        var grace = GracePeriod(type, old, request);
        var pendingNamespace = type.Key == "/namespaces" && (JsonPaths.Arr(updated, "spec", "finalizers")?.Count ?? 0) > 0;
        if (finalizers.Count == 0 && grace == 0 && !pendingNamespace)
        {
            if (options.DryRun)
            {
                return new DeleteOutcome(Present(type, old), true);
            }

            var removed = _store.Remove(type.Key, old);
            Crds?.AfterRemove(type, removed);
            AfterRbacChange(type);
            return new DeleteOutcome(Present(type, removed), true);
        }

        JsonPaths.SetFinalizers(updated, finalizers);
        var now = DateTimeOffset.UtcNow;
        var existingGrace = JsonPaths.Long(old, "metadata", "deletionGracePeriodSeconds");
        if (!JsonPaths.IsDeleting(old) || (existingGrace is { } g && grace < g))
        {
            meta["deletionTimestamp"] = JsonPaths.Timestamp(now.AddSeconds(grace));
            meta["deletionGracePeriodSeconds"] = grace;
        }

        if (type.Key == "/namespaces")
        {
            JsonPaths.Ensure(updated, "status")["phase"] = "Terminating";
        }

        if (options.DryRun || JsonNode.DeepEquals(updated, old))
        {
            return new DeleteOutcome(Present(type, updated), false);
        }

        var stored = _store.Put(type.Key, updated, old);
        Crds?.AfterWrite(type, stored);
        AfterRbacChange(type);
        return new DeleteOutcome(Present(type, stored), false);
    }

    /// <summary>RBAC objects changed: re-run aggregation (the clusterrole-aggregation controller) and re-index bindings.</summary>
    private void AfterRbacChange(ResourceType type)
    {
        if (!RbacSnapshot.IsRbacKey(type.Key))
        {
            return;
        }

        if (type.Key == RbacSnapshot.ClusterRolesKey)
        {
            ClusterRoleAggregator.Run(_store);
        }

        Authorizer?.Invalidate();
    }

    /// <summary>
    /// What the serviceaccounts-controller and root-ca-cert-publisher add to every new namespace (asynchronously on a
    /// real cluster): the default ServiceAccount and the kube-root-ca.crt ConfigMap. Created in the same request so
    /// a pod created right after its namespace does not race them.
    /// </summary>
    private void CreateNamespaceDefaults(string ns)
    {
        if (_registry.Find("", "v1", "serviceaccounts") is { } serviceAccounts && _store.Get(serviceAccounts.Key, ns, "default") is null)
        {
            CreateLocked(serviceAccounts, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ServiceAccount", ["metadata"] = new JsonObject { ["name"] = "default", ["namespace"] = ns } }, WriteOptions.Internal);
        }

        if (_registry.Find("", "v1", "configmaps") is { } configMaps && _store.Get(configMaps.Key, ns, ServiceAccountAdmission.RootCaConfigMap) is null)
        {
            CreateLocked(configMaps, new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "ConfigMap",
                ["metadata"] = new JsonObject
                {
                    ["name"] = ServiceAccountAdmission.RootCaConfigMap,
                    ["namespace"] = ns,
                    ["annotations"] = new JsonObject { ["kubernetes.io/description"] = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters." },
                },
                ["data"] = new JsonObject { ["ca.crt"] = RootCaPem },
            }, WriteOptions.Internal);
        }
    }

    /// <summary>Pods on a node get a grace period for the kubelet; unscheduled or terminal pods go at once.</summary>
    private static long GracePeriod(ResourceType type, JsonObject old, DeleteRequest request)
    {
        if (type.Key != "/pods")
        {
            return 0;
        }

        var phase = JsonPaths.Str(old, "status", "phase");
        if (string.IsNullOrEmpty(JsonPaths.Str(old, "spec", "nodeName")) || phase is "Succeeded" or "Failed")
        {
            return 0;
        }

        var grace = request.GracePeriodSeconds ?? JsonPaths.Long(old, "spec", "terminationGracePeriodSeconds") ?? 30;
        return Math.Max(0, grace);
    }

    private static bool ReadyToRemove(ResourceType type, JsonObject obj) =>
        (JsonPaths.Long(obj, "metadata", "deletionGracePeriodSeconds") ?? 0) == 0
        && !(type.Key == "/namespaces" && (JsonPaths.Arr(obj, "spec", "finalizers")?.Count ?? 0) > 0);

    private static void AddOnce(List<string> list, string value)
    {
        if (!list.Contains(value))
        {
            list.Add(value);
        }
    }

    /// <summary>Checks the body's type meta and namespace, then converts it to the stored form.</summary>
    private static JsonObject Incoming(ResourceType type, string? ns, JsonObject body)
    {
        var apiVersion = JsonPaths.Str(body, "apiVersion");
        if (type.IsCustom)
        {
            // Custom resources decode as unstructured, which needs the type meta in the body.
            if (string.IsNullOrEmpty(JsonPaths.Str(body, "kind")))
            {
                throw ApiException.BadRequest($"Object 'Kind' is missing in '{body.ToJsonString()}'");
            }

            if (string.IsNullOrEmpty(apiVersion))
            {
                throw ApiException.BadRequest($"Object 'apiVersion' is missing in '{body.ToJsonString()}'");
            }
        }

        if (!string.IsNullOrEmpty(apiVersion) && apiVersion != type.ApiVersion)
        {
            throw ApiException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({type.ApiVersion})");
        }

        var kind = JsonPaths.Str(body, "kind");
        if (!string.IsNullOrEmpty(kind) && kind != type.Kind)
        {
            throw ApiException.BadRequest($"the kind in the data ({kind}) does not match the expected kind ({type.Kind})");
        }

        body["apiVersion"] = type.ApiVersion;
        body["kind"] = type.Kind;
        CheckMetadataTypes(type, body);
        var meta = JsonPaths.Meta(body);

        // ObjectMeta fields are omitempty in Go: empty maps and lists never come back.
        foreach (var field in new[] { "labels", "annotations", "finalizers", "ownerReferences", "managedFields" })
        {
            if (meta[field] is null or JsonObject { Count: 0 } or JsonArray { Count: 0 })
            {
                meta.Remove(field);
            }
        }

        if (type.Namespaced)
        {
            var bodyNs = JsonPaths.Str(meta, "namespace");
            if (!string.IsNullOrEmpty(bodyNs) && bodyNs != ns)
            {
                throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }

            meta["namespace"] = ns;
        }
        else
        {
            meta.Remove("namespace");
        }

        var stored = type.Converter is { } converter ? converter.ToStorage(body) : body;
        return stored;
    }

    /// <summary>The storage layer refuses creates that carry a (parsable, non-zero) resourceVersion, with a bare 500.</summary>
    private static void RejectResourceVersionOnCreate(JsonObject obj)
    {
        if (JsonPaths.ResourceVersion(obj) > 0)
        {
            throw new ApiException(500, "", "resourceVersion should not be set on objects to be created");
        }
    }

    /// <summary>What Go's typed decoding would refuse before any validation runs (400, not 422).</summary>
    private static void CheckMetadataTypes(ResourceType type, JsonObject body)
    {
        if (body["metadata"] is { } metadata && metadata is not JsonObject)
        {
            throw Undecodable(type, "metadata", "ObjectMeta");
        }

        foreach (var field in new[] { "labels", "annotations" })
        {
            if (JsonPaths.Node(body, "metadata", field) is { } map
                && (map is not JsonObject o || o.Any(kv => kv.Value is not JsonValue v || v.GetValueKind() != System.Text.Json.JsonValueKind.String)))
            {
                throw Undecodable(type, $"metadata.{field}", "map[string]string");
            }
        }

        if (JsonPaths.Node(body, "metadata", "finalizers") is { } finalizers
            && (finalizers is not JsonArray a || a.Any(f => f is not JsonValue v || v.GetValueKind() != System.Text.Json.JsonValueKind.String)))
        {
            throw Undecodable(type, "metadata.finalizers", "[]string");
        }

        foreach (var field in new[] { "name", "namespace", "generateName", "resourceVersion", "uid" })
        {
            if (JsonPaths.Node(body, "metadata", field) is { } value && (value is not JsonValue v || v.GetValueKind() != System.Text.Json.JsonValueKind.String))
            {
                throw Undecodable(type, $"metadata.{field}", "string");
            }
        }
    }

    private static ApiException Undecodable(ResourceType type, string field, string goType) =>
        ApiException.BadRequest($"{type.Kind} in version \"{type.Version}\" cannot be handled as a {type.Kind}: json: cannot unmarshal into Go struct field {type.Kind}.{field} of type {goType}");

    private void CheckNamespaceAdmits(ResourceType type, string ns, string name)
    {
        var namespaceObj = _store.Get("/namespaces", null, ns) ?? throw ApiException.NamespaceNotFound(ns);
        if (JsonPaths.IsDeleting(namespaceObj) && type.Key != "/events")
        {
            throw ApiException.Forbidden(type, name, $"unable to create new content in namespace {ns} because it is being terminated");
        }
    }

    private static void PruneAndDefault(ResourceType type, JsonObject obj, WriteOptions options)
    {
        var schema = type.Custom?.Schema;
        var pruned = schema is null ? BuiltinFieldPruner.Prune(type, obj) : SchemaPruner.Prune(obj, schema);
        if (pruned.Count > 0)
        {
            if (options.FieldValidation == "Strict")
            {
                var list = string.Join(", ", pruned.Select(p => $"unknown field \"{p}\""));
                throw ApiException.BadRequest($"{type.Kind} in version \"{type.Version}\" cannot be handled as a {type.Kind}: strict decoding error: {list}");
            }

            if (options.FieldValidation != "Ignore")
            {
                options.Warnings.AddRange(pruned.Select(p => $"unknown field \"{p}\""));
            }
        }

        if (schema is not null)
        {
            SchemaDefaulter.Apply(obj, schema);
        }
    }

    private static bool SpecChanged(ResourceType type, JsonObject updated, JsonObject old)
    {
        if (!type.IsCustom)
        {
            return !JsonNode.DeepEquals(updated["spec"], old["spec"]);
        }

        // Any change outside metadata (and status, when it has its own endpoint) bumps generation.
        foreach (var key in updated.Select(kv => kv.Key).Union(old.Select(kv => kv.Key)).Distinct())
        {
            if (key is "metadata" or "apiVersion" or "kind" || (key == "status" && type.HasStatus))
            {
                continue;
            }

            if (!JsonNode.DeepEquals(updated[key], old[key]))
            {
                return true;
            }
        }

        return false;
    }

    private static void RemoveNulls(JsonObject obj)
    {
        foreach (var key in obj.Where(kv => kv.Value is null).Select(kv => kv.Key).ToList())
        {
            obj.Remove(key);
        }
    }

    private static JsonObject MoveTypeMetaFirst(JsonObject obj)
    {
        if (obj.Count > 0 && obj.First().Key == "kind")
        {
            return obj;
        }

        var result = new JsonObject();
        foreach (var key in new[] { "kind", "apiVersion", "metadata" })
        {
            if (obj.TryGetPropertyValue(key, out var v))
            {
                obj.Remove(key);
                result[key] = v;
            }
        }

        foreach (var (key, value) in obj.ToList())
        {
            obj.Remove(key);
            result[key] = value;
        }

        return result;
    }

    public static string FormatRv(long rv) => rv.ToString(CultureInfo.InvariantCulture);
}
