using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;

namespace DataMover.Operator.Restore;

/// <summary>
/// Builds the restore mover Job from the shared hardened pod template (read-write on the target) and the variables
/// of docs/mover-protocol.md. Only an opted-in, operator-allowed restore of file owners changes the pod's identity.
/// </summary>
internal static class RestoreJobBuilder
{
    public const string ModeVar = "MOVER_MODE";
    public const string KindVar = "DATAMOVER_KIND";
    public const string NameVar = "DATAMOVER_NAME";
    public const string NamespaceVar = "DATAMOVER_NAMESPACE";
    public const string UidVar = "DATAMOVER_UID";
    public const string PathVar = "DATAMOVER_PATH";
    public const string FolderVar = "DATAMOVER_RESTORE_FOLDER";
    public const string DeleteVar = "DATAMOVER_RESTORE_DELETE";
    public const string RestoreMode = "restore";

    /// <summary>What restoring owners needs beyond root: chown, and set modes and times on and write into others' files.</summary>
    public static IReadOnlyList<string> OwnershipCapabilities { get; } = ["CHOWN", "FOWNER", "DAC_OVERRIDE"];

    /// <summary>The restore Job, and the additionalEnv names dropped because the operator sets them.</summary>
    public static (Job Job, IReadOnlyList<string> Dropped) Build(DataMoverRestore restore, RestoreJobPlan plan)
    {
        var status = restore.Status!;
        var spec = status.AcceptedSpec ?? restore.Spec!;
        var labels = RestoreLabels.For(restore, RestoreLabels.JobComponent);
        IReadOnlyList<EnvVar> operatorEnv =
        [
            new() { Name = ModeVar, Value = RestoreMode },
            new() { Name = KindVar, Value = RestoreLabels.Kind },
            new() { Name = NameVar, Value = restore.Metadata.Name },
            new() { Name = NamespaceVar, Value = restore.Metadata.Namespace },
            new() { Name = UidVar, Value = restore.Metadata.Uid },
            new() { Name = PathVar, Value = status.Path ?? "" },
            new() { Name = FolderVar, Value = status.RequestedFolder ?? "" },
            new() { Name = DeleteVar, Value = spec.DeleteExtraFiles == true ? "true" : "false" },
        ];
        var (template, dropped) = MoverPodTemplate.Build(new MoverPodPlan(
            labels, spec.Image, plan.DefaultImage, operatorEnv, spec.AdditionalEnv, status.SecretName!, status.TargetPvc!, DataVolumeAccess.ReadWrite, plan.PodSettings));
        if (plan.RestoreOwnership)
        {
            template = AsOwnerRestoring(template);
        }

        var meta = new ObjectMeta
        {
            Name = plan.JobName,
            Namespace = restore.Metadata.Namespace,
            Labels = labels,
            OwnerReferences = [RestoreLabels.ControllerReference(restore)],
        };
        return (MoverJobBuilder.Wrap(meta, template, plan.RunDeadline), dropped);
    }

    /// <summary>
    /// The template running as root with only the capabilities that setting owners needs; everything else stays
    /// hardened (read-only root, no escalation, no token, RuntimeDefault seccomp). No fsGroup: it would re-group the
    /// restored files.
    /// </summary>
    private static PodTemplateSpec AsOwnerRestoring(PodTemplateSpec template)
    {
        var podSpec = template.Spec!;
        var container = podSpec.Containers[0];
        var security = container.SecurityContext! with
        {
            RunAsNonRoot = false,
            RunAsUser = 0,
            RunAsGroup = 0,
            Capabilities = new Capabilities { Drop = ["ALL"], Add = OwnershipCapabilities },
        };
        return template with
        {
            Spec = podSpec with
            {
                SecurityContext = podSpec.SecurityContext! with { RunAsNonRoot = false, RunAsUser = 0, RunAsGroup = 0, FsGroup = null, FsGroupChangePolicy = null },
                Containers = [container with { SecurityContext = security }, .. podSpec.Containers.Skip(1)],
            },
        };
    }
}
