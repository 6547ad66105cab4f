using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;
using DataMover.Operator.Scheduling;

namespace DataMover.Operator.Retention;

/// <summary>
/// Builds a prune Job of a schedule (MOVER_MODE=prune, docs/mover-protocol.md): the same hardened mover pod as the
/// schedule's runs (its image, additionalEnv, moverPod and storage Secret), without a data volume, owned by the
/// schedule. The list pass names no folder; the delete pass names the folders the planner chose.
/// </summary>
internal static class PruneJobBuilder
{
    public const string PruneMode = "prune";

    /// <summary>The component label of list-pass Jobs and their pods.</summary>
    public const string ListComponent = "retention-list";

    /// <summary>The component label of delete-pass Jobs and their pods.</summary>
    public const string DeleteComponent = "retention-prune";

    /// <summary>Label: the uid of the schedule whose backups the Job prunes.</summary>
    public const string ScheduleUidLabel = "datamover.a-cup-of.coffee/schedule-uid";

    /// <summary>Annotations: the run the prune follows, and the destination it deletes in (for the restore gate).</summary>
    public const string RunAnnotation = "datamover.a-cup-of.coffee/prune-after-run";
    public const string SecretAnnotation = "datamover.a-cup-of.coffee/prune-secret";
    public const string PathAnnotation = "datamover.a-cup-of.coffee/prune-path";

    /// <summary>The folders a delete pass deletes, one per line: the informer keeps Jobs without their pod template.</summary>
    public const string FoldersAnnotation = "datamover.a-cup-of.coffee/prune-folders";

    public const string FoldersVar = "DATAMOVER_PRUNE_FOLDERS";

    /// <summary>The Job, and the additionalEnv names dropped because the operator sets them.</summary>
    public static (Job Job, IReadOnlyList<string> Dropped) Build(DataMoverSchedule schedule, PruneJobPlan plan)
    {
        var spec = schedule.Spec!;
        var name = schedule.Metadata.Name!;
        var labels = new Dictionary<string, string>
        {
            [DataMoverLabels.CreatedBy] = DataMoverLabels.OperatorName,
            [DataMoverLabels.ManagedBy] = DataMoverLabels.OperatorName,
            [DataMoverLabels.Component] = plan.Folders is null ? ListComponent : DeleteComponent,
            [ScheduleLabels.Schedule] = ScheduledNameBuilder.LabelValue(name),
            [ScheduleUidLabel] = schedule.Metadata.Uid!,
        };
        List<EnvVar> operatorEnv =
        [
            new() { Name = MoverJobBuilder.ModeVar, Value = PruneMode },
            new() { Name = MoverJobBuilder.KindVar, Value = "DataMoverSchedule" },
            new() { Name = MoverJobBuilder.NameVar, Value = name },
            new() { Name = MoverJobBuilder.NamespaceVar, Value = schedule.Metadata.Namespace },
            new() { Name = MoverJobBuilder.UidVar, Value = schedule.Metadata.Uid },
            new() { Name = MoverJobBuilder.PathVar, Value = BucketPath.Normalize(spec.Path) },
            new() { Name = MoverJobBuilder.ScheduleNameVar, Value = name },
            new() { Name = MoverJobBuilder.ScheduleUidVar, Value = schedule.Metadata.Uid },
            new() { Name = FoldersVar, Value = string.Join('\n', plan.Folders ?? []) },
        ];

        // The shared template always mounts a claim; the name given here is removed with the volume below.
        var (template, dropped) = MoverPodTemplate.Build(new MoverPodPlan(
            labels, spec.Image, plan.DefaultImage, operatorEnv, spec.AdditionalEnv, spec.SecretName!, "unused", DataVolumeAccess.ReadOnly, plan.PodSettings));
        var meta = new ObjectMeta
        {
            Name = plan.JobName,
            Namespace = schedule.Metadata.Namespace,
            Labels = labels,
            Annotations = new Dictionary<string, string>
            {
                [RunAnnotation] = plan.RunName,
                [SecretAnnotation] = spec.SecretName!,
                [PathAnnotation] = BucketPath.Normalize(spec.Path),
                [FoldersAnnotation] = string.Join('\n', plan.Folders ?? []),
            },
            OwnerReferences =
            [
                new OwnerReference
                {
                    ApiVersion = DataMoverResources.ApiVersion,
                    Kind = "DataMoverSchedule",
                    Name = name,
                    Uid = schedule.Metadata.Uid!,
                    Controller = true,
                    BlockOwnerDeletion = true,
                },
            ],
        };
        return (MoverJobBuilder.Wrap(meta, MoverPodTemplate.WithoutDataVolume(template), plan.Deadline), dropped);
    }

    /// <summary>True for a Job this operator created to prune <paramref name="schedule"/>'s backups.</summary>
    public static bool IsPruneJobOf(Job job, DataMoverSchedule schedule) =>
        DataMoverLabels.IsControlledBy(job, schedule)
        && job.Metadata.Label(DataMoverLabels.CreatedBy) == DataMoverLabels.OperatorName
        && IsPruneComponent(job.Metadata.Label(DataMoverLabels.Component))
        && job.Metadata.Label(ScheduleUidLabel) == schedule.Metadata.Uid;

    /// <summary>True for the component label of either pass.</summary>
    public static bool IsPruneComponent(string? component) => component is ListComponent or DeleteComponent;
}
