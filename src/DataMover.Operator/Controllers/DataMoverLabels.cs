using DataMover.Kube.Models;
using DataMover.Operator.Naming;
using Dm = DataMover.Operator.Api.DataMover;

namespace DataMover.Operator.Controllers;

/// <summary>Labels the operator puts on what it creates, and the ownership test that guards every delete.</summary>
internal static class DataMoverLabels
{
    public const string CreatedBy = "app.kubernetes.io/created-by";
    public const string ManagedBy = "app.kubernetes.io/managed-by";
    public const string Component = "app.kubernetes.io/component";
    public const string OperatorName = "datamover-operator";
    public const string DataMoverName = "datamover.a-cup-of.coffee/datamover";
    public const string DataMoverUid = "datamover.a-cup-of.coffee/datamover-uid";
    public const string SourcePvc = "datamover.a-cup-of.coffee/source-pvc";

    /// <summary>Selector matching everything the operator created.</summary>
    public const string CreatedBySelector = CreatedBy + "=" + OperatorName;

    /// <summary>Labels naming the owning DataMover; values shortened to stay valid.</summary>
    public static Dictionary<string, string> For(Dm dm, string component) => new()
    {
        [CreatedBy] = OperatorName,
        [ManagedBy] = OperatorName,
        [Component] = component,
        [DataMoverName] = KubeNames.LabelValue(dm.Metadata.Name!),
        [DataMoverUid] = dm.Metadata.Uid!,
    };

    /// <summary>
    /// True when <paramref name="obj"/> carries this DataMover's labels AND its controller ownerReference; only then
    /// may the operator delete it.
    /// </summary>
    public static bool IsOwnedBy(KubeObject obj, Dm dm) =>
        IsControlledBy(obj, dm)
        && obj.Metadata.Label(CreatedBy) == OperatorName
        && obj.Metadata.Label(DataMoverUid) == dm.Metadata.Uid;

    /// <summary>True when the controller ownerReference of <paramref name="obj"/> is <paramref name="owner"/> (a DataMover or a DataMoverRestore).</summary>
    public static bool IsControlledBy(KubeObject obj, KubeObject owner) =>
        obj.Metadata.ControllerReference() is { } reference && reference.Uid == owner.Metadata.Uid;

    /// <summary>A blocking controller reference to <paramref name="dm"/> (list items may lack apiVersion/kind, so they are spelled out).</summary>
    public static OwnerReference ControllerReference(Dm dm) => new()
    {
        ApiVersion = Api.DataMoverResources.ApiVersion,
        Kind = "DataMover",
        Name = dm.Metadata.Name!,
        Uid = dm.Metadata.Uid!,
        Controller = true,
        BlockOwnerDeletion = true,
    };
}
