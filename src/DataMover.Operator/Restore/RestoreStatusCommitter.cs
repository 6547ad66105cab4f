using System.Text.Json;
using DataMover.Kube.Client;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;
using DataMover.Operator.Events;
using DataMover.Operator.Metrics;

namespace DataMover.Operator.Restore;

/// <summary>
/// The one place a restore's status is written, with the resourceVersion it was computed from. Only a write that
/// changed something counts its metrics, logs and sends its Event, so each is counted once however often a
/// reconcile repeats; a conflict propagates and the loop retries on the latest object.
/// </summary>
internal sealed partial class RestoreStatusCommitter(KubeClient client, IEventSink events, DataMoverMetrics metrics, TimeProvider time, ILogger logger)
{
    private readonly ResourceClient<DataMoverRestore> _restores = client.Resource(DataMoverResources.Restores);

    /// <summary>The restore as written, or the same instance when <paramref name="next"/> changes nothing.</summary>
    public async Task<DataMoverRestore> CommitAsync(DataMoverRestore restore, DataMoverRestoreStatus next, Notice? notice, CancellationToken cancellationToken)
    {
        if (Serialize(restore.Status) == Serialize(next))
        {
            return restore;
        }

        var written = await _restores.ReplaceStatusAsync(restore with { Status = next }, cancellationToken);
        var ns = restore.Metadata.Namespace!;
        var name = restore.Metadata.Name!;
        var previous = restore.Status?.Phase ?? RestorePhase.Pending;
        var current = next.Phase ?? RestorePhase.Pending;
        if (current != previous)
        {
            CountTransition(restore, next, previous, current);
            LogPhase(logger, ns, name, RestorePhase.Label(previous), RestorePhase.Label(current));
        }

        if (notice is not null)
        {
            if (notice.IsWarning)
            {
                metrics.RestoreErrors.Increment(1, notice.Reason, RestorePhase.Label(current), ns);
                events.Warning(restore, notice.Reason, notice.Message);
                LogWarning(logger, ns, name, RestorePhase.Label(current), notice.Reason, notice.Message);
            }
            else
            {
                events.Normal(restore, notice.Reason, notice.Message);
                LogNormal(logger, ns, name, RestorePhase.Label(current), notice.Reason, notice.Message);
            }
        }

        return written with { ApiVersion = DataMoverResources.ApiVersion, Kind = RestoreLabels.Kind };
    }

    private void CountTransition(DataMoverRestore restore, DataMoverRestoreStatus next, string previous, string current)
    {
        var ns = restore.Metadata.Namespace!;
        var failed = current == RestorePhase.Failed;
        metrics.RestoreOperations.Increment(1, RestorePhase.Label(previous), failed ? DataMoverMetrics.Failure : DataMoverMetrics.Success, ns);
        if (!RestorePhase.IsTerminal(current))
        {
            metrics.RestoreOperations.Increment(1, RestorePhase.Label(current), DataMoverMetrics.Started, ns);
            return;
        }

        var since = next.StartTime ?? restore.Metadata.CreationTimestamp;
        if (since is { } start)
        {
            metrics.RestoreDuration.Observe(Math.Max(0, (time.GetUtcNow() - start).TotalSeconds), failed ? DataMoverMetrics.Failure : DataMoverMetrics.Success, ns);
        }
    }

    private static string Serialize(DataMoverRestoreStatus? status) =>
        status is null ? "" : JsonSerializer.Serialize(status, OperatorJsonContext.Default.DataMoverRestoreStatus);

    [LoggerMessage(Level = LogLevel.Information, Message = "DataMoverRestore {Namespace}/{Name}: phase {From} -> {To}")]
    private static partial void LogPhase(ILogger logger, string @namespace, string name, string from, string to);

    [LoggerMessage(Level = LogLevel.Information, Message = "DataMoverRestore {Namespace}/{Name} in phase {Phase}: {Reason}: {Message}")]
    private static partial void LogNormal(ILogger logger, string @namespace, string name, string phase, string reason, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "DataMoverRestore {Namespace}/{Name} in phase {Phase}: {Reason}: {Message}")]
    private static partial void LogWarning(ILogger logger, string @namespace, string name, string phase, string reason, string message);
}
