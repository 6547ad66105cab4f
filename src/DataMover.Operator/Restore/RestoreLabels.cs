using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;
using DataMover.Operator.Naming;

namespace DataMover.Operator.Restore;

/// <summary>Labels on what a restore creates, and the tests that guard adopting and deleting them.</summary>
internal static class RestoreLabels
{
    public const string Kind = "DataMoverRestore";
    public const string RestoreName = "datamover.a-cup-of.coffee/restore";
    public const string RestoreUid = "datamover.a-cup-of.coffee/restore-uid";

    /// <summary>The component label of the restore's mover Job and pods.</summary>
    public const string JobComponent = "restore-mover";

    /// <summary>The component label of the restore's inspect Job and pods.</summary>
    public const string InspectComponent = "restore-inspect";

    /// <summary>The component label of a PVC a restore created.</summary>
    public const string PvcComponent = "restored-pvc";

    public static Dictionary<string, string> For(DataMoverRestore restore, string component) => new()
    {
        [DataMoverLabels.CreatedBy] = DataMoverLabels.OperatorName,
        [DataMoverLabels.ManagedBy] = DataMoverLabels.OperatorName,
        [DataMoverLabels.Component] = component,
        [RestoreName] = KubeNames.LabelValue(restore.Metadata.Name!),
        [RestoreUid] = restore.Metadata.Uid!,
    };

    /// <summary>True when <paramref name="obj"/> carries this restore's labels AND its controller ownerReference.</summary>
    public static bool IsOwnedBy(KubeObject obj, DataMoverRestore restore) =>
        DataMoverLabels.IsControlledBy(obj, restore)
        && obj.Metadata.Label(DataMoverLabels.CreatedBy) == DataMoverLabels.OperatorName
        && obj.Metadata.Label(RestoreUid) == restore.Metadata.Uid;

    /// <summary>
    /// True when this restore created <paramref name="pvc"/>: the PVC has no owner (it outlives the restore), so the
    /// operator's label with the restore's uid is the only mark, and nothing else is ever adopted as a new target.
    /// </summary>
    public static bool WasCreatedBy(PersistentVolumeClaim pvc, DataMoverRestore restore) =>
        pvc.Metadata.Label(DataMoverLabels.CreatedBy) == DataMoverLabels.OperatorName
        && pvc.Metadata.Label(RestoreUid) == restore.Metadata.Uid;

    public static OwnerReference ControllerReference(DataMoverRestore restore) => new()
    {
        ApiVersion = DataMoverResources.ApiVersion,
        Kind = Kind,
        Name = restore.Metadata.Name!,
        Uid = restore.Metadata.Uid!,
        Controller = true,
        BlockOwnerDeletion = true,
    };
}
