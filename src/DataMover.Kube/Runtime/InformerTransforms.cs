using DataMover.Kube.Models;

namespace DataMover.Kube.Runtime;

/// <summary>
/// What an informer keeps of an object, as controller-runtime's cache transform functions do: a cache holds every
/// object it watches for as long as the process runs, so fields no reader uses are dropped on the way in. Objects
/// trimmed here must never be written back whole (a PUT would erase what was dropped); the operator only patches,
/// deletes or replaces the status of what it caches.
/// </summary>
public static class InformerTransforms
{
    private const string ManagedFields = "managedFields";

    /// <summary>
    /// <paramref name="obj"/> without metadata.managedFields, which every informer drops: the server's field ownership
    /// bookkeeping is often the largest part of an object, no reader uses it, and an update that omits it leaves the
    /// server's copy unchanged.
    /// </summary>
    public static T WithoutManagedFields<T>(T obj) where T : KubeObject
    {
        if (obj.Metadata.Extra is not { } extra || !extra.ContainsKey(ManagedFields))
        {
            return obj;
        }

        var rest = extra.Count == 1 ? null : extra.Where(kv => kv.Key != ManagedFields).ToDictionary(kv => kv.Key, kv => kv.Value);
        return (T)(obj with { Metadata = obj.Metadata with { Extra = rest } });
    }

    /// <summary>
    /// A Pod as the operator reads it: metadata, status (phase, conditions, container states) and which PVCs it
    /// mounts. Containers (images, commands, env), the rest of the spec and unknown status fields are dropped.
    /// </summary>
    public static Pod PodForCache(Pod pod) => pod with
    {
        Spec = pod.Spec is not { } spec ? null : new PodSpec
        {
            Volumes = spec.Volumes?.Where(v => v.PersistentVolumeClaim is not null).Select(v => new Volume { Name = v.Name, PersistentVolumeClaim = v.PersistentVolumeClaim }).ToList(),
            NodeName = spec.NodeName,
        },
        Status = pod.Status is not { } status ? null : status with
        {
            Extra = null,
            ContainerStatuses = Trim(status.ContainerStatuses),
            InitContainerStatuses = Trim(status.InitContainerStatuses),
        },
    };

    /// <summary>A Job as the operator reads it: metadata and status. The pod template (the bulk of a mover Job) is dropped.</summary>
    public static Job JobForCache(Job job) => job with
    {
        Spec = job.Spec is not { } spec ? null : new JobSpec
        {
            Parallelism = spec.Parallelism,
            Completions = spec.Completions,
            BackoffLimit = spec.BackoffLimit,
            ActiveDeadlineSeconds = spec.ActiveDeadlineSeconds,
            TtlSecondsAfterFinished = spec.TtlSecondsAfterFinished,
            Suspend = spec.Suspend,
        },
    };

    /// <summary>A PVC as the operator reads it: the typed spec and status; fields the model does not know are dropped.</summary>
    public static PersistentVolumeClaim PvcForCache(PersistentVolumeClaim pvc) => pvc with
    {
        Extra = null,
        Spec = pvc.Spec is null ? null : pvc.Spec with { Extra = null },
        Status = pvc.Status is null ? null : pvc.Status with { Extra = null },
    };

    private static List<ContainerStatus>? Trim(IReadOnlyList<ContainerStatus>? statuses) =>
        statuses?.Select(cs => cs with { Extra = null, Image = null, ImageId = null, ContainerId = null }).ToList();
}
