using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Kube.Runtime;
using DataMover.Operator.Api;

namespace DataMover.Operator.Scheduling;

/// <summary>The schedule reconciler's reads from informer caches and writes to the API server.</summary>
internal sealed class KubeScheduleStore(
    KubeClient client,
    Informer<DataMoverSchedule> schedules,
    Informer<Api.DataMover> runs) : IScheduleStore
{
    private readonly ResourceClient<DataMoverSchedule> _schedules = client.Resource(DataMoverResources.Schedules);
    private readonly ResourceClient<Api.DataMover> _runs = client.Resource(DataMoverResources.DataMovers);

    public DataMoverSchedule? GetCachedSchedule(string key) => schedules.Get(key);

    public Task<DataMoverSchedule?> GetScheduleAsync(string? ns, string name, CancellationToken cancellationToken) =>
        _schedules.TryGetAsync(ns, name, cancellationToken);

    public IReadOnlyList<Api.DataMover> RunsOf(DataMoverSchedule schedule) =>
        schedule.Metadata.Uid is { } uid
            ? runs.ByIndex(IndexFuncs.ControllerUid, uid).Where(r => r.Metadata.Namespace == schedule.Metadata.Namespace).ToList()
            : [];

    public async Task<Api.DataMover?> CreateRunAsync(Api.DataMover run, CancellationToken cancellationToken)
    {
        try
        {
            return await _runs.CreateAsync(run, cancellationToken);
        }
        catch (KubeApiException e) when (e.IsAlreadyExists)
        {
            return null;
        }
    }

    public async Task DeleteRunAsync(Api.DataMover run, CancellationToken cancellationToken)
    {
        try
        {
            await _runs.DeleteAsync(run.Metadata.Namespace, run.Metadata.Name!, new DeleteOptions
            {
                PropagationPolicy = "Background",
                Preconditions = new Preconditions { Uid = run.Metadata.Uid },
            }, cancellationToken);
        }
        catch (KubeApiException e) when (e.IsNotFound || e.IsConflict)
        {
            // Gone, or replaced by a newer object of the same name that is not ours to delete.
        }
    }

    public Task UpdateStatusAsync(DataMoverSchedule schedule, DataMoverScheduleStatus status, CancellationToken cancellationToken) =>
        _schedules.ReplaceStatusAsync(schedule with { Status = status }, cancellationToken);
}
