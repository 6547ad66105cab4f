using System.Text.Json;
using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Events;

namespace DataMover.Operator.Controllers;

/// <summary>
/// The one place the status of a DataMover or a restore is written. The write carries the resourceVersion the status
/// was computed from; only a write that changed something counts the transition's metrics, logs it and sends its
/// Event, so each is counted once however often a reconcile repeats. A conflict propagates: the loop retries with
/// backoff on the latest object, never ending the reconcile as if it had succeeded.
/// </summary>
internal sealed partial class StatusCommitter<T, TStatus>(KubeClient client, IStatusKind<T, TStatus> kind, IEventSink events, ILogger logger)
    where T : KubeObject
    where TStatus : class
{
    private readonly ResourceClient<T> _objects = client.Resource(kind.Resource);

    /// <summary>The object as written, or the same instance when <paramref name="next"/> changes nothing.</summary>
    public async Task<T> CommitAsync(T obj, TStatus next, Notice? notice, CancellationToken cancellationToken)
    {
        if (Serialize(kind.StatusOf(obj)) == Serialize(next))
        {
            return obj;
        }

        var written = await _objects.ReplaceStatusAsync(kind.WithStatus(obj, next), cancellationToken);
        var ns = obj.Metadata.Namespace!;
        var name = obj.Metadata.Name!;
        var previous = kind.PhaseOf(kind.StatusOf(obj));
        var current = kind.PhaseOf(next);
        if (current != previous)
        {
            kind.CountTransition(obj, next, previous, current);
            LogPhase(logger, kind.Kind, ns, name, kind.Label(previous), kind.Label(current));
        }

        if (notice is not null)
        {
            if (notice.IsWarning)
            {
                kind.CountWarning(notice.Reason, kind.Label(current), ns);
                events.Warning(obj, notice.Reason, notice.Message);
                LogWarning(logger, kind.Kind, ns, name, kind.Label(current), notice.Reason, notice.Message);
            }
            else
            {
                events.Normal(obj, notice.Reason, notice.Message);
                LogNormal(logger, kind.Kind, ns, name, kind.Label(current), notice.Reason, notice.Message);
            }
        }

        return written with { ApiVersion = DataMoverResources.ApiVersion, Kind = kind.Kind };
    }

    private string Serialize(TStatus? status) => status is null ? "" : JsonSerializer.Serialize(status, kind.StatusJson);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Kind} {Namespace}/{Name}: phase {From} -> {To}")]
    private static partial void LogPhase(ILogger logger, string kind, string @namespace, string name, string from, string to);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Kind} {Namespace}/{Name} in phase {Phase}: {Reason}: {Message}")]
    private static partial void LogNormal(ILogger logger, string kind, string @namespace, string name, string phase, string reason, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Kind} {Namespace}/{Name} in phase {Phase}: {Reason}: {Message}")]
    private static partial void LogWarning(ILogger logger, string kind, string @namespace, string name, string phase, string reason, string message);
}
