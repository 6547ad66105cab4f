using DataMover.Kube.Json;
using DataMover.Kube.Models;
using DataMover.Operator.Api;

namespace DataMover.Operator.Scheduling;

/// <summary>Builds the DataMover for one scheduled time from the schedule's template fields.</summary>
internal static class ScheduledRunFactory
{
    public static Api.DataMover Build(DataMoverSchedule schedule, DateTimeOffset scheduledTime)
    {
        var name = schedule.Metadata.Name ?? throw new ArgumentException("schedule has no name", nameof(schedule));
        var spec = schedule.Spec ?? new DataMoverScheduleSpec();
        return new Api.DataMover
        {
            ApiVersion = DataMoverResources.ApiVersion,
            Kind = "DataMover",
            Metadata = new ObjectMeta
            {
                Name = ScheduledNameBuilder.RunName(name, scheduledTime),
                Namespace = schedule.Metadata.Namespace,
                Labels = new Dictionary<string, string>
                {
                    [ScheduleLabels.Schedule] = ScheduledNameBuilder.LabelValue(name),
                    [ScheduleLabels.CreatedBy] = ScheduleLabels.CreatedByValue,
                },
                Annotations = new Dictionary<string, string>
                {
                    [ScheduleLabels.ScheduledAt] = Rfc3339Converter.Format(scheduledTime),
                },
                OwnerReferences =
                [
                    // Built by hand: list items may lack apiVersion/kind, which OwnerReference.ControllerOf needs.
                    new OwnerReference
                    {
                        ApiVersion = DataMoverResources.ApiVersion,
                        Kind = "DataMoverSchedule",
                        Name = name,
                        Uid = schedule.Metadata.Uid ?? throw new ArgumentException("schedule has no uid", nameof(schedule)),
                        Controller = true,
                        BlockOwnerDeletion = true,
                    },
                ],
            },
            Spec = new DataMoverSpec
            {
                SourcePvc = spec.SourcePvc,
                SecretName = spec.SecretName,
                Path = spec.Path,
                AddTimestampPrefix = spec.AddTimestampPrefix,
                DeletePvcAfterBackup = spec.DeletePvcAfterBackup,
                CopyMethod = spec.CopyMethod,
                VolumeSnapshotClassName = spec.VolumeSnapshotClassName,
                AdditionalEnv = spec.AdditionalEnv,
                Image = spec.Image,
                MoverPod = spec.MoverPod,
                Timeouts = spec.Timeouts,
            },
        };
    }
}
