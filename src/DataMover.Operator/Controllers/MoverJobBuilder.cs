using DataMover.Kube.Models;
using DataMover.Operator.Api;
using Dm = DataMover.Operator.Api.DataMover;

namespace DataMover.Operator.Controllers;

/// <summary>Builds the backup mover Job, and wraps any mover pod template (backup or restore) into a Job.</summary>
internal static class MoverJobBuilder
{
    public const string Component = "mover";
    public const int BackoffLimit = 2;

    public const string ModeVar = "MOVER_MODE";
    public const string KindVar = "DATAMOVER_KIND";
    public const string NameVar = "DATAMOVER_NAME";
    public const string NamespaceVar = "DATAMOVER_NAMESPACE";
    public const string UidVar = "DATAMOVER_UID";
    public const string PathVar = "DATAMOVER_PATH";
    public const string AddTimestampPrefixVar = "ADD_TIMESTAMP_PREFIX";
    public const string DestinationPrefixVar = "DATAMOVER_DESTINATION_PREFIX";
    public const string SourcePvcVar = "DATAMOVER_SOURCE_PVC";
    public const string SourceCapacityVar = "DATAMOVER_SOURCE_CAPACITY";
    public const string ScheduleNameVar = "DATAMOVER_SCHEDULE_NAME";
    public const string ScheduleUidVar = "DATAMOVER_SCHEDULE_UID";
    public const string BackupMode = "backup";

    /// <summary>The mover's exit codes for errors no retry can fix (mover/entrypoint.sh: configuration, credentials or bucket).</summary>
    public static IReadOnlyList<int> PermanentExitCodes { get; } = [2, 3];

    /// <summary>The backup Job, and the additionalEnv names dropped because the policy does not allow them.</summary>
    public static (Job Job, IReadOnlyList<string> Dropped) Build(Dm dm, DataMoverSpec spec, MoverJobPlan plan)
    {
        var (jobName, cloneName, destinationPrefix, defaultImage, runDeadline, sourceCapacity, podSettings) = plan;
        var labels = DataMoverLabels.For(dm, Component);
        List<EnvVar> operatorEnv =
        [
            new() { Name = ModeVar, Value = BackupMode },
            new() { Name = KindVar, Value = "DataMover" },
            new() { Name = NameVar, Value = dm.Metadata.Name },
            new() { Name = NamespaceVar, Value = dm.Metadata.Namespace },
            new() { Name = UidVar, Value = dm.Metadata.Uid },
            new() { Name = PathVar, Value = spec.Path ?? "" },
            new() { Name = AddTimestampPrefixVar, Value = spec.AddTimestampPrefix == true ? "true" : "false" },
            new() { Name = DestinationPrefixVar, Value = destinationPrefix },
            new() { Name = SourcePvcVar, Value = spec.SourcePvc },
        ];
        if (sourceCapacity is { Length: > 0 })
        {
            operatorEnv.Add(new EnvVar { Name = SourceCapacityVar, Value = sourceCapacity });
        }

        // A run of a schedule records it in the manifest: retention deletes only the backups naming its schedule.
        if (dm.Metadata.ControllerReference() is { Kind: "DataMoverSchedule", Uid: { Length: > 0 } scheduleUid } schedule)
        {
            operatorEnv.Add(new EnvVar { Name = ScheduleNameVar, Value = schedule.Name });
            operatorEnv.Add(new EnvVar { Name = ScheduleUidVar, Value = scheduleUid });
        }

        var (template, dropped) = MoverPodTemplate.Build(new MoverPodPlan(labels, spec.Image, defaultImage, operatorEnv, spec.AdditionalEnv, spec.SecretName!, cloneName, DataVolumeAccess.ReadOnly, podSettings));
        var meta = new ObjectMeta
        {
            Name = jobName,
            Namespace = dm.Metadata.Namespace,
            Labels = labels,
            OwnerReferences = [DataMoverLabels.ControllerReference(dm)],
        };
        return (Wrap(meta, template, runDeadline), dropped);
    }

    /// <summary>A Job running <paramref name="template"/> once to completion, with the mover's retry and deadline rules.</summary>
    public static Job Wrap(ObjectMeta meta, PodTemplateSpec template, TimeSpan runDeadline) => new()
    {
        ApiVersion = "batch/v1",
        Kind = "Job",
        Metadata = meta,
        Spec = new JobSpec
        {
            BackoffLimit = BackoffLimit,
            ActiveDeadlineSeconds = Math.Max(1, (long)Math.Ceiling(runDeadline.TotalSeconds)),
            PodFailurePolicy = new PodFailurePolicy
            {
                Rules =
                [
                    // A permanent error fails at once instead of spending backoffLimit retries on it.
                    new PodFailurePolicyRule
                    {
                        Action = "FailJob",
                        OnExitCodes = new PodFailurePolicyOnExitCodesRequirement { ContainerName = MoverPodTemplate.ContainerName, Operator = "In", Values = PermanentExitCodes },
                    },
                    // Evicted or preempted (node drain, preemption): not the mover's fault, so not a spent attempt.
                    new PodFailurePolicyRule
                    {
                        Action = "Ignore",
                        OnPodConditions = [new PodFailurePolicyOnPodConditionsPattern { Type = "DisruptionTarget", Status = "True" }],
                    },
                ],
            },
            Template = template,
        },
    };
}
