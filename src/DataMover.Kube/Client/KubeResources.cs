using DataMover.Kube.Json;
using DataMover.Kube.Models;

namespace DataMover.Kube.Client;

/// <summary>The built-in resource types the project uses.</summary>
public static class KubeResources
{
    private static readonly KubeJsonContext Ctx = KubeJsonContext.Default;

    public static ResourceType<Namespace> Namespaces { get; } = new("", "v1", "namespaces", "Namespace", false, Ctx.Namespace, Ctx.KubeListNamespace);
    public static ResourceType<PersistentVolumeClaim> PersistentVolumeClaims { get; } = new("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true, Ctx.PersistentVolumeClaim, Ctx.KubeListPersistentVolumeClaim);
    public static ResourceType<PersistentVolume> PersistentVolumes { get; } = new("", "v1", "persistentvolumes", "PersistentVolume", false, Ctx.PersistentVolume, Ctx.KubeListPersistentVolume);
    public static ResourceType<Secret> Secrets { get; } = new("", "v1", "secrets", "Secret", true, Ctx.Secret, Ctx.KubeListSecret);
    public static ResourceType<ConfigMap> ConfigMaps { get; } = new("", "v1", "configmaps", "ConfigMap", true, Ctx.ConfigMap, Ctx.KubeListConfigMap);
    public static ResourceType<Pod> Pods { get; } = new("", "v1", "pods", "Pod", true, Ctx.Pod, Ctx.KubeListPod);
    public static ResourceType<Event> Events { get; } = new("", "v1", "events", "Event", true, Ctx.Event, Ctx.KubeListEvent);
    public static ResourceType<Node> Nodes { get; } = new("", "v1", "nodes", "Node", false, Ctx.Node, Ctx.KubeListNode);
    public static ResourceType<Job> Jobs { get; } = new("batch", "v1", "jobs", "Job", true, Ctx.Job, Ctx.KubeListJob);
    public static ResourceType<Lease> Leases { get; } = new("coordination.k8s.io", "v1", "leases", "Lease", true, Ctx.Lease, Ctx.KubeListLease);
    public static ResourceType<TokenReview> TokenReviews { get; } = new("authentication.k8s.io", "v1", "tokenreviews", "TokenReview", false, Ctx.TokenReview, Ctx.KubeListTokenReview);
    public static ResourceType<SubjectAccessReview> SubjectAccessReviews { get; } = new("authorization.k8s.io", "v1", "subjectaccessreviews", "SubjectAccessReview", false, Ctx.SubjectAccessReview, Ctx.KubeListSubjectAccessReview);
    public static ResourceType<StorageClass> StorageClasses { get; } = new("storage.k8s.io", "v1", "storageclasses", "StorageClass", false, Ctx.StorageClass, Ctx.KubeListStorageClass);
    public static ResourceType<CsiDriver> CsiDrivers { get; } = new("storage.k8s.io", "v1", "csidrivers", "CSIDriver", false, Ctx.CsiDriver, Ctx.KubeListCsiDriver);
    public static ResourceType<CustomResourceDefinition> CustomResourceDefinitions { get; } = new("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false, Ctx.CustomResourceDefinition, Ctx.KubeListCustomResourceDefinition);
    public static ResourceType<VolumeSnapshot> VolumeSnapshots { get; } = new("snapshot.storage.k8s.io", "v1", "volumesnapshots", "VolumeSnapshot", true, Ctx.VolumeSnapshot, Ctx.KubeListVolumeSnapshot);
    public static ResourceType<VolumeSnapshotClass> VolumeSnapshotClasses { get; } = new("snapshot.storage.k8s.io", "v1", "volumesnapshotclasses", "VolumeSnapshotClass", false, Ctx.VolumeSnapshotClass, Ctx.KubeListVolumeSnapshotClass);
}
