using DataMover.Kube.Models;
using Dm = DataMover.Operator.Api.DataMover;

namespace DataMover.Operator.Controllers;

/// <summary>
/// Builds the clone PVC: a copy of the source's storage class, access modes, volume mode and size, filled from the
/// source itself (copyMethod Clone) or from a VolumeSnapshot of it (copyMethod Snapshot).
/// </summary>
internal static class ClonePlanner
{
    public const string Component = "clone";

    public static PersistentVolumeClaim Build(Dm dm, PersistentVolumeClaim source, string cloneName) =>
        Build(dm, source, cloneName, new TypedLocalObjectReference { Kind = "PersistentVolumeClaim", Name = source.Metadata.Name! });

    public static PersistentVolumeClaim Build(Dm dm, PersistentVolumeClaim source, string cloneName, TypedLocalObjectReference dataSource)
    {
        var labels = DataMoverLabels.For(dm, Component);
        labels[DataMoverLabels.SourcePvc] = Naming.KubeNames.LabelValue(source.Metadata.Name!);
        return new PersistentVolumeClaim
        {
            ApiVersion = "v1",
            Kind = "PersistentVolumeClaim",
            Metadata = new ObjectMeta
            {
                Name = cloneName,
                Namespace = dm.Metadata.Namespace,
                Labels = labels,
                OwnerReferences = [DataMoverLabels.ControllerReference(dm)],
            },
            Spec = new PersistentVolumeClaimSpec
            {
                StorageClassName = source.Spec?.StorageClassName,
                AccessModes = source.Spec?.AccessModes is { Count: > 0 } modes ? modes : ["ReadWriteOnce"],
                VolumeMode = source.Spec?.VolumeMode,
                DataSource = dataSource,
                Resources = new ResourceRequirements
                {
                    Requests = new Dictionary<string, string> { ["storage"] = Size(source) },
                },
            },
        };
    }

    /// <summary>
    /// The larger of the source's request and its bound capacity: a clone may not be smaller than its source, and a
    /// provisioner may have rounded the source up.
    /// </summary>
    public static string Size(PersistentVolumeClaim source)
    {
        string? request = null;
        string? capacity = null;
        source.Spec?.Resources?.Requests?.TryGetValue("storage", out request);
        source.Status?.Capacity?.TryGetValue("storage", out capacity);
        return Quantity.Max(request, capacity) ?? "1Gi";
    }
}
