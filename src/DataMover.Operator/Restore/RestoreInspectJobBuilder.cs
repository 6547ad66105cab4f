using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;

namespace DataMover.Operator.Restore;

/// <summary>
/// Builds the inspect Job (MOVER_MODE=inspect, docs/mover-protocol.md): the same hardened pod as the restore's, with
/// the same path and folder, but without the data volume. It only reads the bucket, so it needs no PVC, and it can run
/// before the target PVC exists (its size is what it finds out).
/// </summary>
internal static class RestoreInspectJobBuilder
{
    public const string InspectMode = "inspect";

    /// <summary>The inspect Job, and the additionalEnv names dropped because the operator sets them.</summary>
    public static (Job Job, IReadOnlyList<string> Dropped) Build(DataMoverRestore restore, string jobName, string defaultImage, TimeSpan runDeadline, MoverPodSettings? podSettings = null)
    {
        var status = restore.Status!;
        var spec = status.AcceptedSpec ?? restore.Spec!;
        var labels = RestoreLabels.For(restore, RestoreLabels.InspectComponent);
        IReadOnlyList<EnvVar> operatorEnv =
        [
            new() { Name = RestoreJobBuilder.ModeVar, Value = InspectMode },
            new() { Name = RestoreJobBuilder.KindVar, Value = RestoreLabels.Kind },
            new() { Name = RestoreJobBuilder.NameVar, Value = restore.Metadata.Name },
            new() { Name = RestoreJobBuilder.NamespaceVar, Value = restore.Metadata.Namespace },
            new() { Name = RestoreJobBuilder.UidVar, Value = restore.Metadata.Uid },
            new() { Name = RestoreJobBuilder.PathVar, Value = status.Path ?? "" },
            new() { Name = RestoreJobBuilder.FolderVar, Value = status.RequestedFolder ?? "" },
        ];
        // The shared template always mounts a claim; the name given here is removed with the volume below.
        var (template, dropped) = MoverPodTemplate.Build(new MoverPodPlan(
            labels, spec.Image, defaultImage, operatorEnv, spec.AdditionalEnv, status.SecretName!, status.TargetPvc!, DataVolumeAccess.ReadOnly, podSettings));
        var meta = new ObjectMeta
        {
            Name = jobName,
            Namespace = restore.Metadata.Namespace,
            Labels = labels,
            OwnerReferences = [RestoreLabels.ControllerReference(restore)],
        };
        return (MoverJobBuilder.Wrap(meta, MoverPodTemplate.WithoutDataVolume(template), runDeadline), dropped);
    }
}
