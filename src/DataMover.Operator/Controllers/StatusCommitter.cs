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
/// backoff on the latest object, never ending the reconcile as if it had succeeded. With <paramref name="written"/>,
/// every object written is remembered there until the informer shows it.
/// </summary>
internal sealed partial class StatusCommitter<T, TStatus>(KubeClient client, IStatusKind<T, TStatus> kind, IEventSink events, ILogger logger, WrittenObjects<T>? written = null)
    where T : KubeObject
    where TStatus : class
{
    private readonly ResourceClient<T> _objects = client.Resource(kind.Resource);

    /// <summary>The object as written, or the same instance when <paramref name="next"/> changes nothing.</summary>
    public Task<T> CommitAsync(T obj, TStatus next, Notice? notice, CancellationToken cancellationToken) =>
        CommitAsync(obj, [], next, notice, cancellationToken);

    /// <summary>
    /// Writes <paramref name="next"/> in one request, and counts and logs the phase changes as if each status of
    /// <paramref name="passed"/> had been written on the way: steps whose preconditions already held, merged.
    /// </summary>
    public async Task<T> CommitAsync(T obj, IReadOnlyList<TStatus> passed, TStatus next, Notice? notice, CancellationToken cancellationToken)
    {
        if (passed.Count == 0 && Serialize(kind.StatusOf(obj)) == Serialize(next))
        {
            return obj;
        }

        var result = await _objects.ReplaceStatusAsync(kind.WithStatus(obj, next), cancellationToken);
        written?.Remember(result);
        var ns = obj.Metadata.Namespace!;
        var name = obj.Metadata.Name!;
        var from = obj;
        foreach (var step in passed.Append(next))
        {
            var before = kind.PhaseOf(kind.StatusOf(from));
            var after = kind.PhaseOf(step);
            if (after != before)
            {
                kind.CountTransition(from, step, before, after);
                LogPhase(logger, kind.Kind, ns, name, kind.Label(before), kind.Label(after));
            }

            from = kind.WithStatus(from, step);
        }

        var current = kind.PhaseOf(next);
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

        return result with { ApiVersion = DataMoverResources.ApiVersion, Kind = kind.Kind };
    }

    private string Serialize(TStatus? status) => status is null ? "" : JsonSerializer.Serialize(status, kind.StatusJson);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Kind} {Namespace}/{Name}: phase {From} -> {To}")]
    private static partial void LogPhase(ILogger logger, string kind, string @namespace, string name, string from, string to);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Kind} {Namespace}/{Name} in phase {Phase}: {Reason}: {Message}")]
    private static partial void LogNormal(ILogger logger, string kind, string @namespace, string name, string phase, string reason, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Kind} {Namespace}/{Name} in phase {Phase}: {Reason}: {Message}")]
    private static partial void LogWarning(ILogger logger, string kind, string @namespace, string name, string phase, string reason, string message);
}
