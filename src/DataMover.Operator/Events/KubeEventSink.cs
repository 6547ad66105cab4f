using System.Threading.Channels;
using DataMover.Kube.Client;
using DataMover.Kube.Models;

namespace DataMover.Operator.Events;

/// <summary>
/// Writes core/v1 Events from a background queue so a slow API server never stalls a reconcile; a failed write
/// is logged and dropped (events are best-effort, like client-go's recorder).
/// </summary>
internal sealed partial class KubeEventSink : IEventSink, IAsyncDisposable
{
    private readonly Channel<Event> _queue = Channel.CreateBounded<Event>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly ResourceClient<Event> _events;
    private readonly string _component;
    private readonly string _instance;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Task _pump;

    public KubeEventSink(KubeClient client, string component, string instance, TimeProvider time, ILogger logger)
    {
        _events = client.Resource(KubeResources.Events);
        _component = component;
        _instance = instance;
        _time = time;
        _logger = logger;
        _pump = Task.Run(PumpAsync);
    }

    public void Normal(KubeObject obj, string reason, string message) => Record(obj, "Normal", reason, message);

    public void Warning(KubeObject obj, string reason, string message) => Record(obj, "Warning", reason, message);

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        // Give queued events a moment to reach the server; shutdown must not hang on a dead API server.
        await Task.WhenAny(_pump, Task.Delay(TimeSpan.FromSeconds(3), _time));
    }

    private void Record(KubeObject obj, string type, string reason, string message)
    {
        var now = _time.GetUtcNow();
        var ns = string.IsNullOrEmpty(obj.Metadata.Namespace) ? "default" : obj.Metadata.Namespace;
        var evt = new Event
        {
            Metadata = new ObjectMeta
            {
                Name = $"{obj.Metadata.Name}.{now.ToUnixTimeMilliseconds():x}{Random.Shared.Next(0x1000):x3}",
                Namespace = ns,
            },
            InvolvedObject = new ObjectReference
            {
                ApiVersion = obj.ApiVersion,
                Kind = obj.Kind,
                Name = obj.Metadata.Name,
                Namespace = obj.Metadata.Namespace,
                Uid = obj.Metadata.Uid,
                ResourceVersion = obj.Metadata.ResourceVersion,
            },
            Type = type,
            Reason = reason,
            Message = message.Length > 1024 ? message[..1024] : message,
            Count = 1,
            FirstTimestamp = now,
            LastTimestamp = now,
            Source = new EventSource { Component = _component },
            ReportingComponent = _component,
            ReportingInstance = _instance,
        };
        _queue.Writer.TryWrite(evt);
    }

    private async Task PumpAsync()
    {
        await foreach (var evt in _queue.Reader.ReadAllAsync())
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _events.CreateAsync(evt, timeout.Token);
            }
            catch (Exception e)
            {
                LogEventFailed(_logger, evt.Reason ?? "", evt.InvolvedObject?.Name ?? "", e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record event {Reason} for {Name}")]
    private static partial void LogEventFailed(ILogger logger, string reason, string name, Exception exception);
}
