using DataMover.Kube.Models;
using Dm = DataMover.Operator.Api.DataMover;

namespace DataMover.Operator.Controllers;

/// <summary>
/// Builds the VolumeSnapshot of copyMethod Snapshot, and the clone's data source pointing at it. The snapshot is only
/// the means to a point-in-time clone: it carries the DataMover's labels and controller reference like the clone.
/// </summary>
internal static class SnapshotPlanner
{
    public const string Component = "snapshot";
    public const string ApiGroup = "snapshot.storage.k8s.io";

    public static VolumeSnapshot Build(Dm dm, PersistentVolumeClaim source, string snapshotName, string className)
    {
        var labels = DataMoverLabels.For(dm, Component);
        labels[DataMoverLabels.SourcePvc] = Naming.KubeNames.LabelValue(source.Metadata.Name!);
        return new VolumeSnapshot
        {
            ApiVersion = ApiGroup + "/v1",
            Kind = "VolumeSnapshot",
            Metadata = new ObjectMeta
            {
                Name = snapshotName,
                Namespace = dm.Metadata.Namespace,
                Labels = labels,
                OwnerReferences = [DataMoverLabels.ControllerReference(dm)],
            },
            Spec = new VolumeSnapshotSpec
            {
                Source = new VolumeSnapshotSource { PersistentVolumeClaimName = source.Metadata.Name },
                VolumeSnapshotClassName = className,
            },
        };
    }

    /// <summary>The clone's dataSource for a restore from <paramref name="snapshotName"/>.</summary>
    public static TypedLocalObjectReference DataSource(string snapshotName) =>
        new() { ApiGroup = ApiGroup, Kind = "VolumeSnapshot", Name = snapshotName };
}
