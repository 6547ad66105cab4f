using System.Collections.Concurrent;
using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Kube.Runtime;

namespace DataMover.Sandbox.ControlPlane;

/// <summary>
/// The resource types the garbage collector and namespace controller act on: the built-in ones that can own or be
/// owned, plus every served version of every CustomResourceDefinition as it appears (a stand-in for discovery).
/// </summary>
internal sealed class ResourceCatalog
{
    private static readonly (string Group, string Version, string Plural, string Kind, bool Namespaced)[] Builtins =
    [
        ("", "v1", "pods", "Pod", true),
        ("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true),
        ("", "v1", "persistentvolumes", "PersistentVolume", false),
        ("", "v1", "secrets", "Secret", true),
        ("", "v1", "configmaps", "ConfigMap", true),
        ("", "v1", "serviceaccounts", "ServiceAccount", true),
        ("", "v1", "nodes", "Node", false),
        ("batch", "v1", "jobs", "Job", true),
        ("coordination.k8s.io", "v1", "leases", "Lease", true),
        ("storage.k8s.io", "v1", "storageclasses", "StorageClass", false),
        ("storage.k8s.io", "v1", "csidrivers", "CSIDriver", false),
    ];

    private readonly ConcurrentDictionary<string, ResourceType<GenericObject>> _types = new();

    public ResourceCatalog(InformerSet informers)
    {
        foreach (var b in Builtins)
        {
            Add(b.Group, b.Version, b.Plural, b.Kind, b.Namespaced);
        }

        var crds = informers.Get(KubeResources.CustomResourceDefinitions);
        crds.AddHandler(InformerHandler<CustomResourceDefinition>.Any(crd =>
        {
            if (crd.Spec is not { } spec || crd.Metadata.DeletionTimestamp is not null)
            {
                return;
            }

            foreach (var v in spec.Versions.Where(v => v.Served))
            {
                Add(spec.Group, v.Name, spec.Names.Plural, spec.Names.Kind, spec.Scope == "Namespaced");
            }
        }));
    }

    /// <summary>Raised once per new type, so watchers can start an informer for it.</summary>
    public event Action<ResourceType<GenericObject>>? TypeAdded;

    /// <summary>Events are deliberately absent from <see cref="All"/>: they own nothing and are never owned.</summary>
    public static ResourceType<GenericObject> Events { get; } = Create("", "v1", "events", "Event", true);

    public IReadOnlyCollection<ResourceType<GenericObject>> All => _types.Values.ToList();

    public ResourceType<GenericObject>? Find(string apiVersion, string kind) =>
        _types.TryGetValue(apiVersion + "/" + kind, out var t) ? t : null;

    private void Add(string group, string version, string plural, string kind, bool namespaced)
    {
        var type = Create(group, version, plural, kind, namespaced);
        if (_types.TryAdd(type.ApiVersion + "/" + kind, type))
        {
            TypeAdded?.Invoke(type);
        }
    }

    private static ResourceType<GenericObject> Create(string group, string version, string plural, string kind, bool namespaced) =>
        new(group, version, plural, kind, namespaced, GenericJsonContext.Default.GenericObject, GenericJsonContext.Default.KubeListGenericObject);
}
