using DataMover.Sandbox.ApiServer.Crd;
using DataMover.Sandbox.ApiServer.Strategies;

namespace DataMover.Sandbox.ApiServer;

/// <summary>The compiled-in resources the sandbox serves, with the names, scopes and subresources of Kubernetes 1.32.</summary>
internal static class BuiltinResources
{
    public static IEnumerable<ResourceType> Create()
    {
        var plain = ResourceStrategy.Plain;
        yield return new ResourceType
        {
            Group = "", Version = "v1", Plural = "namespaces", Singular = "namespace", Kind = "Namespace", Namespaced = false,
            ShortNames = ["ns"], HasStatus = true, ExtraSubresources = ["finalize"], NameRule = NameRule.Label,
            ReturnDeletedObject = true, Strategy = new NamespaceStrategy(),
            Verbs = ["create", "delete", "get", "list", "patch", "update", "watch"],
        };
        yield return new ResourceType
        {
            Group = "", Version = "v1", Plural = "pods", Singular = "pod", Kind = "Pod", Namespaced = true,
            ShortNames = ["po"], Categories = ["all"], HasStatus = true, ExtraSubresources = ["log", "binding"],
            ReturnDeletedObject = true, Strategy = new PodStrategy(),
        };
        yield return new ResourceType
        {
            Group = "", Version = "v1", Plural = "persistentvolumeclaims", Singular = "persistentvolumeclaim", Kind = "PersistentVolumeClaim",
            Namespaced = true, ShortNames = ["pvc"], HasStatus = true, Strategy = new PersistentVolumeClaimStrategy(),
        };
        yield return new ResourceType
        {
            Group = "", Version = "v1", Plural = "persistentvolumes", Singular = "persistentvolume", Kind = "PersistentVolume",
            Namespaced = false, ShortNames = ["pv"], HasStatus = true, Strategy = new PersistentVolumeStrategy(),
        };
        yield return new ResourceType
        {
            Group = "", Version = "v1", Plural = "secrets", Singular = "secret", Kind = "Secret", Namespaced = true,
            Strategy = new ConfigDataStrategy(secret: true),
        };
        yield return new ResourceType
        {
            Group = "", Version = "v1", Plural = "configmaps", Singular = "configmap", Kind = "ConfigMap", Namespaced = true,
            ShortNames = ["cm"], Strategy = new ConfigDataStrategy(secret: false),
        };
        yield return new ResourceType
        {
            Group = "", Version = "v1", Plural = "serviceaccounts", Singular = "serviceaccount", Kind = "ServiceAccount", Namespaced = true,
            ShortNames = ["sa"], ExtraSubresources = ["token"], Strategy = plain,
        };
        yield return new ResourceType
        {
            Group = "", Version = "v1", Plural = "events", Singular = "event", Kind = "Event", Namespaced = true,
            ShortNames = ["ev"], Strategy = new EventStrategy(), StorageKey = "/events", AllowCreateOnUpdate = true,
        };
        yield return new ResourceType
        {
            Group = "", Version = "v1", Plural = "services", Singular = "service", Kind = "Service", Namespaced = true,
            ShortNames = ["svc"], Categories = ["all"], HasStatus = true, Strategy = new ServiceStrategy(),
            Verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
        };
        yield return Review("authorization.k8s.io", "selfsubjectaccessreviews", "SelfSubjectAccessReview", false);
        yield return Review("authorization.k8s.io", "subjectaccessreviews", "SubjectAccessReview", false);
        yield return Review("authorization.k8s.io", "localsubjectaccessreviews", "LocalSubjectAccessReview", true);
        yield return Review("authorization.k8s.io", "selfsubjectrulesreviews", "SelfSubjectRulesReview", false);
        yield return Review("authentication.k8s.io", "selfsubjectreviews", "SelfSubjectReview", false);
        yield return Review("authentication.k8s.io", "tokenreviews", "TokenReview", false);
        var rbac = new RbacStrategy();
        yield return new ResourceType
        {
            Group = "rbac.authorization.k8s.io", Version = "v1", Plural = "roles", Singular = "role", Kind = "Role", Namespaced = true, Strategy = rbac, NameRule = NameRule.PathSegment,
        };
        yield return new ResourceType
        {
            Group = "rbac.authorization.k8s.io", Version = "v1", Plural = "clusterroles", Singular = "clusterrole", Kind = "ClusterRole", Namespaced = false, Strategy = rbac, NameRule = NameRule.PathSegment,
        };
        yield return new ResourceType
        {
            Group = "rbac.authorization.k8s.io", Version = "v1", Plural = "rolebindings", Singular = "rolebinding", Kind = "RoleBinding", Namespaced = true, Strategy = rbac, NameRule = NameRule.PathSegment,
        };
        yield return new ResourceType
        {
            Group = "rbac.authorization.k8s.io", Version = "v1", Plural = "clusterrolebindings", Singular = "clusterrolebinding", Kind = "ClusterRoleBinding", Namespaced = false, Strategy = rbac, NameRule = NameRule.PathSegment,
        };
        yield return new ResourceType
        {
            Group = "", Version = "v1", Plural = "nodes", Singular = "node", Kind = "Node", Namespaced = false,
            ShortNames = ["no"], HasStatus = true, Strategy = plain,
        };
        yield return new ResourceType
        {
            Group = "events.k8s.io", Version = "v1", Plural = "events", Singular = "event", Kind = "Event", Namespaced = true,
            ShortNames = ["ev"], Strategy = new EventStrategy(), StorageKey = "/events", Converter = new EventConverter(), AllowCreateOnUpdate = true,
        };
        yield return new ResourceType
        {
            Group = "batch", Version = "v1", Plural = "jobs", Singular = "job", Kind = "Job", Namespaced = true,
            Categories = ["all"], HasStatus = true, TracksGeneration = true, DefaultPropagation = "Orphan", Strategy = new JobStrategy(),
        };
        yield return new ResourceType
        {
            Group = "coordination.k8s.io", Version = "v1", Plural = "leases", Singular = "lease", Kind = "Lease", Namespaced = true,
            Strategy = new LeaseStrategy(), AllowCreateOnUpdate = true,
        };
        yield return new ResourceType
        {
            Group = "storage.k8s.io", Version = "v1", Plural = "storageclasses", Singular = "storageclass", Kind = "StorageClass",
            Namespaced = false, ShortNames = ["sc"], Strategy = new StorageClassStrategy(),
        };
        yield return new ResourceType
        {
            Group = "scheduling.k8s.io", Version = "v1", Plural = "priorityclasses", Singular = "priorityclass", Kind = "PriorityClass",
            Namespaced = false, ShortNames = ["pc"], Strategy = plain,
        };
        yield return new ResourceType
        {
            Group = "storage.k8s.io", Version = "v1", Plural = "csidrivers", Singular = "csidriver", Kind = "CSIDriver",
            Namespaced = false, Strategy = new CsiDriverStrategy(),
        };
        yield return new ResourceType
        {
            Group = "apiextensions.k8s.io", Version = "v1", Plural = "customresourcedefinitions", Singular = "customresourcedefinition",
            Kind = "CustomResourceDefinition", Namespaced = false, ShortNames = ["crd", "crds"], Categories = ["api-extensions"],
            HasStatus = true, TracksGeneration = true, AllowUnconditionalUpdate = false, ReturnDeletedObject = true, Strategy = new CrdStrategy(),
        };
    }

    private static ResourceType Review(string group, string plural, string kind, bool namespaced) => new()
    {
        Group = group, Version = "v1", Plural = plural, Singular = kind.ToLowerInvariant(), Kind = kind, Namespaced = namespaced,
        Strategy = ResourceStrategy.Plain, IsReview = true, Verbs = ["create"],
    };
}
