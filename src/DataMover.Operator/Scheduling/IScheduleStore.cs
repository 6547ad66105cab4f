using DataMover.Operator.Api;

namespace DataMover.Operator.Scheduling;

/// <summary>
/// What the schedule reconciler reads and writes: cached reads (informers) and API writes. An interface so the
/// reconcile logic can be tested against memory; <see cref="KubeScheduleStore"/> is the real one.
/// </summary>
internal interface IScheduleStore
{
    /// <summary>The schedule as cached, or null when it is gone.</summary>
    DataMoverSchedule? GetCachedSchedule(string key);

    /// <summary>The schedule as the API server has it now (used before acting on a due run, so a stale cache cannot repeat one).</summary>
    Task<DataMoverSchedule?> GetScheduleAsync(string? ns, string name, CancellationToken cancellationToken);

    /// <summary>Cached DataMovers whose controller is <paramref name="schedule"/>.</summary>
    IReadOnlyList<Api.DataMover> RunsOf(DataMoverSchedule schedule);

    /// <summary>Creates a run; null when one with that name already exists (it was created before).</summary>
    Task<Api.DataMover?> CreateRunAsync(Api.DataMover run, CancellationToken cancellationToken);

    /// <summary>Deletes a run with background propagation, if it is still the same object; gone already is fine.</summary>
    Task DeleteRunAsync(Api.DataMover run, CancellationToken cancellationToken);

    /// <summary>Writes the status subresource, guarded by the schedule's resourceVersion.</summary>
    Task UpdateStatusAsync(DataMoverSchedule schedule, DataMoverScheduleStatus status, CancellationToken cancellationToken);
}
