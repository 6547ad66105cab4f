using DataMover.Kube.Models;
using DataMover.Operator.Api;

namespace DataMover.Operator.Restore;

/// <summary>
/// The new PVC of target.pvc. It carries the operator's labels with the restore's uid but no ownerReference: the
/// restored data must outlive the restore object.
/// </summary>
internal static class RestorePvcBuilder
{
    public static PersistentVolumeClaim Build(DataMoverRestore restore, DataMoverRestorePvc pvc, string name, string size) => new()
    {
        ApiVersion = "v1",
        Kind = "PersistentVolumeClaim",
        Metadata = new ObjectMeta
        {
            Name = name,
            Namespace = restore.Metadata.Namespace,
            Labels = RestoreLabels.For(restore, RestoreLabels.PvcComponent),
        },
        Spec = new PersistentVolumeClaimSpec
        {
            StorageClassName = string.IsNullOrEmpty(pvc.StorageClassName) ? null : pvc.StorageClassName,
            AccessModes = pvc.AccessModes is { Count: > 0 } modes ? modes : ["ReadWriteOnce"],
            Resources = new ResourceRequirements { Requests = new Dictionary<string, string> { ["storage"] = size } },
        },
    };
}
