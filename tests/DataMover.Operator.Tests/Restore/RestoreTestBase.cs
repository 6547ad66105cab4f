using System.Text.Json;
using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;
using DataMover.Operator.Restore;
using DataMover.Operator.Tests.Cluster;

namespace DataMover.Operator.Tests.Restore;

/// <summary>What restore tests against the full sandbox share: creating restores and waiting on their status.</summary>
public abstract class RestoreTestBase(ClusterFixture fixture) : ClusterTestBase(fixture)
{
    internal ResourceClient<DataMoverRestore> Restores => Client.Resource(DataMoverResources.Restores);

    internal static DataMoverRestoreSpec FromPath(string path, DataMoverRestoreTarget target) => new()
    {
        Source = new DataMoverRestoreSource { SecretName = "storage-credentials", Path = path },
        Target = target,
    };

    internal static DataMoverRestoreTarget NewPvc(string? name = null, string? size = "1Gi") => new() { Pvc = new DataMoverRestorePvc { Name = name, Size = size } };

    internal async Task<DataMoverRestore> CreateRestoreAsync(string ns, string name, DataMoverRestoreSpec spec) =>
        await Restores.CreateAsync(new DataMoverRestore { Metadata = new ObjectMeta { Name = name, Namespace = ns }, Spec = spec });

    internal async Task<DataMoverRestore> RestorePhaseAsync(string ns, string name, string phase)
    {
        DataMoverRestore? last = null;
        try
        {
            return await EventuallyAsync(async () =>
            {
                last = await Restores.GetAsync(ns, name);
                return last.Status?.Phase == phase ? last : null;
            }, $"{name} {phase}");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + ": " + JsonSerializer.Serialize(last?.Status, OperatorJsonContext.Default.DataMoverRestoreStatus), e);
        }
    }

    /// <summary>The restore once its Progressing condition has <paramref name="reason"/>.</summary>
    internal async Task<DataMoverRestore> ProgressingReasonAsync(string ns, string name, string reason)
    {
        DataMoverRestore? last = null;
        try
        {
            return await EventuallyAsync(async () =>
            {
                last = await Restores.GetAsync(ns, name);
                return Conditions.Find(last.Status?.Conditions, ConditionTypes.Progressing)?.Reason == reason ? last : null;
            }, $"{name} {reason}");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + ": " + JsonSerializer.Serialize(last?.Status, OperatorJsonContext.Default.DataMoverRestoreStatus), e);
        }
    }

    internal static string FailedReason(DataMoverRestore restore) => Conditions.Find(restore.Status?.Conditions, ConditionTypes.Failed)!.Reason!;

    internal static string FailedMessage(DataMoverRestore restore) => Conditions.Find(restore.Status?.Conditions, ConditionTypes.Failed)!.Message!;

    /// <summary>The Jobs a restore controls (by its uid label), whatever their names.</summary>
    internal async Task<IReadOnlyList<Job>> RestoreJobsAsync(string ns, DataMoverRestore restore) =>
        (await Jobs.ListAsync(ns, new ListOptions { LabelSelector = $"{RestoreLabels.RestoreUid}={restore.Metadata.Uid}" })).Items;

    internal static string? Env(Job job, string name) =>
        job.Spec!.Template.Spec!.Containers[0].Env!.SingleOrDefault(e => e.Name == name)?.Value;
}
