using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using DataMover.Kube.Client;
using DataMover.Kube.Json;
using DataMover.Kube.Models;
using Microsoft.Extensions.Logging;

namespace DataMover.Kube.Runtime;

/// <summary>
/// Records core/v1 Events about objects, like client-go's tools/record: the caller never waits or sees an error
/// (events queue in a bounded channel and a background sender writes them), and a repeat of an identical event
/// (same object, type, reason and message) bumps count and lastTimestamp on the existing Event with a PATCH
/// instead of creating another. Like client-go's recordToSink, an event the server could not take (5xx, 429, no
/// answer) is retried up to <see cref="EventRecorderOptions.MaxTriesPerEvent"/> times; one it rejected (invalid, already
/// exists, forbidden) is not.
/// </summary>
public sealed partial class EventRecorder : IAsyncDisposable
{
    // client-go's broadcaster queue length and correlator cache size.
    private const int QueueLength = 1000;

    private readonly ResourceClient<Event> _events;
    private readonly string _component;
    private readonly string? _instance;
    private readonly TimeProvider _time;
    private readonly ILogger<EventRecorder> _logger;
    private readonly Channel<QueueItem> _queue;
    private readonly EventCorrelationCache _seen = new();
    private readonly EventRecorderOptions _options;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _draining = new();
    private readonly Task _sender;

    public EventRecorder(KubeClient client, string component, string? instance, TimeProvider time, ILogger<EventRecorder> logger, EventRecorderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(component);
        _events = client.Resource(KubeResources.Events);
        _component = component;
        _instance = instance;
        _time = time;
        _logger = logger;
        _options = options ?? new EventRecorderOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxTriesPerEvent, 1);
        _queue = Channel.CreateBounded<QueueItem>(new BoundedChannelOptions(QueueLength)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _sender = Task.Run(SendLoopAsync);
    }

    /// <summary>Records a Normal event about <paramref name="obj"/>.</summary>
    public void Normal(KubeObject obj, string reason, string message) => Record(obj, "Normal", reason, message);

    /// <summary>Records a Warning event about <paramref name="obj"/>.</summary>
    public void Warning(KubeObject obj, string reason, string message) => Record(obj, "Warning", reason, message);

    /// <summary>Completes when every event recorded before the call has been sent (or given up on).</summary>
    public async Task FlushAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await _queue.Writer.WriteAsync(new QueueItem(null, done), _stopping.Token);
        }
        catch (Exception e) when (e is ChannelClosedException or OperationCanceledException or ObjectDisposedException)
        {
            return;
        }

        await done.Task;
    }

    /// <summary>
    /// Sends what is queued (each event once more at most, within <see cref="EventRecorderOptions.DrainTimeout"/>),
    /// then stops the sender: a shutdown must not wait out an API server outage.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _draining.CancelAsync();
        try
        {
            await _sender.WaitAsync(_options.DrainTimeout, TimeProvider.System);
        }
        catch (TimeoutException)
        {
            // Whatever is left is dropped, as client-go's broadcaster drops it on Shutdown.
        }
        finally
        {
            await _stopping.CancelAsync();
            await _sender;
            _stopping.Dispose();
            _draining.Dispose();
        }
    }

    private void Record(KubeObject obj, string type, string reason, string message)
    {
        try
        {
            var evt = MakeEvent(obj, type, reason, EventMessage.Truncate(message ?? ""));
            if (!_queue.Writer.TryWrite(new QueueItem(evt, null)))
            {
                LogDropped(_logger, reason, obj.Key());
            }
        }
        catch (Exception e)
        {
            // Recording an event must never break the reconcile that reports it.
            LogRecordFailed(_logger, reason, e);
        }
    }

    private Event MakeEvent(KubeObject obj, string type, string reason, string message)
    {
        var now = _time.GetUtcNow();
        var (apiVersion, kind) = KnownKinds.Of(obj);
        var name = obj.Metadata.Name ?? throw new ArgumentException("the object has no name", nameof(obj));
        return new Event
        {
            Metadata = new ObjectMeta
            {
                // client-go: "<name>.<unix nanoseconds in hex>", in the object's namespace (default when cluster-scoped).
                Name = $"{name}.{((now - DateTimeOffset.UnixEpoch).Ticks * 100).ToString("x", CultureInfo.InvariantCulture)}",
                Namespace = string.IsNullOrEmpty(obj.Metadata.Namespace) ? "default" : obj.Metadata.Namespace,
            },
            InvolvedObject = ObjectReference.To(obj) with { ApiVersion = apiVersion, Kind = kind },
            Type = type,
            Reason = reason,
            Message = message,
            Count = 1,
            FirstTimestamp = now,
            LastTimestamp = now,
            Source = new EventSource { Component = _component, Host = _instance },
            ReportingComponent = _component,
            ReportingInstance = _instance,
        };
    }

    private async Task SendLoopAsync()
    {
        await foreach (var item in _queue.Reader.ReadAllAsync())
        {
            if (item.Event is { } evt)
            {
                await SendWithRetriesAsync(evt);
            }

            item.Flushed?.TrySetResult();
        }
    }

    private async Task SendWithRetriesAsync(Event evt)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await SendAsync(evt, _stopping.Token);
                return;
            }
            catch (KubeApiException e) when (!IsWorthRetrying(e))
            {
                // The server rejected it (invalid, forbidden, already exists, namespace terminating): sending again would not help.
                LogRejected(_logger, evt.Reason, evt.InvolvedObject?.Name, e);
                return;
            }
            catch (Exception e) when (!_stopping.IsCancellationRequested && !_draining.IsCancellationRequested && attempt < _options.MaxTriesPerEvent)
            {
                LogSendRetry(_logger, evt.Reason, evt.InvolvedObject?.Name, attempt, e);
                // client-go randomises only the first sleep, so recorders that failed together do not retry together.
                var wait = attempt == 1 ? _options.RetryInterval * Random.Shared.NextDouble() : _options.RetryInterval;
                try
                {
                    // The system clock even under a test's fake clock: this wait is about the network, not about the objects.
                    await Task.Delay(wait, TimeProvider.System, _draining.Token);
                }
                catch (OperationCanceledException)
                {
                    LogSendFailed(_logger, evt.Reason, evt.InvolvedObject?.Name, e);
                    return;
                }
            }
            catch (Exception e)
            {
                LogSendFailed(_logger, evt.Reason, evt.InvolvedObject?.Name, e);
                return;
            }
        }
    }

    /// <summary>Failures the server may get over: it was overloaded, broken for a moment, or never answered.</summary>
    private static bool IsWorthRetrying(KubeApiException e) =>
        e.IsServerError || e.IsTooManyRequests || e.StatusCode == System.Net.HttpStatusCode.RequestTimeout;

    /// <summary>client-go's EventCorrelator + recordToSink for identical events: patch the count when seen before, else create.</summary>
    private async Task SendAsync(Event evt, CancellationToken cancellationToken)
    {
        var key = EventCorrelationCache.KeyOf(evt);
        if (_seen.TryGet(key) is { } previous)
        {
            var count = previous.Count + 1;
            var patch = new JsonObject
            {
                ["count"] = count,
                ["lastTimestamp"] = Rfc3339Converter.Format(evt.LastTimestamp!.Value),
                ["message"] = evt.Message,
            };
            try
            {
                var patched = await _events.PatchAsync(evt.Metadata.Namespace, previous.Name, KubePatch.StrategicMerge(patch.ToJsonString()), null, cancellationToken);
                _seen.Put(key, patched);
                return;
            }
            catch (KubeApiException e) when (e.IsNotFound)
            {
                // The Event expired (the API server keeps them for an hour): create it again under its old name.
                evt = evt with
                {
                    Metadata = evt.Metadata with { Name = previous.Name },
                    Count = count,
                    FirstTimestamp = previous.FirstTimestamp ?? evt.FirstTimestamp,
                };
            }
        }

        var created = await _events.CreateAsync(evt, cancellationToken);
        _seen.Put(key, created);
    }

    /// <summary>An event to send, or (Event null) a flush marker.</summary>
    private sealed record QueueItem(Event? Event, TaskCompletionSource? Flushed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event queue full; dropped event {Reason} for {Object}")]
    private static partial void LogDropped(ILogger logger, string reason, string @object);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record event {Reason}")]
    private static partial void LogRecordFailed(ILogger logger, string reason, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Server rejected event {Reason} for {Object} (will not retry)")]
    private static partial void LogRejected(ILogger logger, string? reason, string? @object, Exception error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Could not write event {Reason} for {Object} (attempt {Attempt}); retrying")]
    private static partial void LogSendRetry(ILogger logger, string? reason, string? @object, int attempt, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write event {Reason} for {Object}; giving up")]
    private static partial void LogSendFailed(ILogger logger, string? reason, string? @object, Exception error);
}
