using System.Text.Json;
using DataMover.Kube.Client;
using DataMover.Operator.Api;
using DataMover.Operator.Events;
using DataMover.Operator.Metrics;
using Dm = DataMover.Operator.Api.DataMover;

namespace DataMover.Operator.Controllers;

/// <summary>
/// The one place a DataMover's status is written. The write carries the resourceVersion the status was computed from;
/// only a write that changed something counts the transition's metrics, logs it and sends its Event, so each is
/// counted once however often a reconcile repeats. A conflict propagates: the loop retries with backoff on the
/// latest object, never ending the reconcile as if it had succeeded.
/// </summary>
internal sealed partial class StatusCommitter(KubeClient client, IEventSink events, DataMoverMetrics metrics, TimeProvider time, ILogger logger)
{
    private readonly ResourceClient<Dm> _dataMovers = client.Resource(DataMoverResources.DataMovers);

    /// <summary>The DataMover as written, or the same instance when <paramref name="next"/> changes nothing.</summary>
    public async Task<Dm> CommitAsync(Dm dm, DataMoverStatus next, Notice? notice, CancellationToken cancellationToken)
    {
        if (Serialize(dm.Status) == Serialize(next))
        {
            return dm;
        }

        var written = await _dataMovers.ReplaceStatusAsync(dm with { Status = next }, cancellationToken);
        var ns = dm.Metadata.Namespace!;
        var name = dm.Metadata.Name!;
        var previous = dm.Status?.Phase ?? DataMoverPhase.Pending;
        var current = next.Phase ?? DataMoverPhase.Pending;
        if (current != previous)
        {
            CountTransition(dm, previous, current);
            LogPhase(logger, ns, name, DataMoverPhase.Label(previous), DataMoverPhase.Label(current));
        }

        if (notice is not null)
        {
            if (notice.IsWarning)
            {
                metrics.Error(notice.Reason, DataMoverPhase.Label(current), ns);
                events.Warning(dm, notice.Reason, notice.Message);
                LogWarning(logger, ns, name, DataMoverPhase.Label(current), notice.Reason, notice.Message);
            }
            else
            {
                events.Normal(dm, notice.Reason, notice.Message);
                LogNormal(logger, ns, name, DataMoverPhase.Label(current), notice.Reason, notice.Message);
            }
        }

        return written with { ApiVersion = DataMoverResources.ApiVersion, Kind = "DataMover" };
    }

    /// <summary>The phase families and the per-step outcomes docs/metrics.md lists, all derived from the transition.</summary>
    private void CountTransition(Dm dm, string previous, string current)
    {
        var ns = dm.Metadata.Namespace!;
        var since = dm.Status?.PhaseStartTime ?? dm.Metadata.CreationTimestamp;
        if (since is { } start)
        {
            metrics.PhaseDuration.Observe(Math.Max(0, (time.GetUtcNow() - start).TotalSeconds), DataMoverPhase.Label(previous), ns);
        }

        var failed = current == DataMoverPhase.Failed;
        metrics.Operations.Increment(1, DataMoverPhase.Label(previous), failed ? DataMoverMetrics.Failure : DataMoverMetrics.Success, ns);
        if (!DataMoverPhase.IsTerminal(current))
        {
            metrics.Operations.Increment(1, DataMoverPhase.Label(current), DataMoverMetrics.Started, ns);
        }

        metrics.CurrentPhase.Set(DataMoverPhase.Index(current), dm.Metadata.Name!, ns);
        var outcome = failed ? DataMoverMetrics.Failure : DataMoverMetrics.Success;
        switch (previous)
        {
            case DataMoverPhase.CreatingClonedPvc:
                metrics.CloneOperations.Increment(1, outcome, ns);
                break;
            case DataMoverPhase.CreatingPod:
                metrics.DataSyncs.Increment(1, outcome, ns);
                break;
            case DataMoverPhase.CleaningUp:
                metrics.Cleanups.Increment(1, outcome, ns);
                break;
        }
    }

    private static string Serialize(DataMoverStatus? status) =>
        status is null ? "" : JsonSerializer.Serialize(status, OperatorJsonContext.Default.DataMoverStatus);

    [LoggerMessage(Level = LogLevel.Information, Message = "DataMover {Namespace}/{Name}: phase {From} -> {To}")]
    private static partial void LogPhase(ILogger logger, string @namespace, string name, string from, string to);

    [LoggerMessage(Level = LogLevel.Information, Message = "DataMover {Namespace}/{Name} in phase {Phase}: {Reason}: {Message}")]
    private static partial void LogNormal(ILogger logger, string @namespace, string name, string phase, string reason, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "DataMover {Namespace}/{Name} in phase {Phase}: {Reason}: {Message}")]
    private static partial void LogWarning(ILogger logger, string @namespace, string name, string phase, string reason, string message);
}
