using System.Globalization;
using DataMover.Kube.Client;
using DataMover.Kube.Models;

namespace DataMover.Sandbox.ControlPlane;

/// <summary>
/// Writes core/v1 Events the way client-go's legacy recorder does (name <c>&lt;object&gt;.&lt;hex nanos&gt;</c>, source
/// component/host), so tools reading events (kubectl describe, the operator's tests) see the shapes they expect.
/// Event writes are best effort: a failure is logged, never propagated, as in client-go.
/// </summary>
internal sealed partial class EventEmitter
{
    private readonly ResourceClient<Event> _events;
    private readonly string _component;
    private readonly string? _host;
    private readonly ILogger _logger;

    public EventEmitter(KubeClient client, string component, string? host, ILogger logger)
    {
        _events = client.Resource(KubeResources.Events);
        _component = component;
        _host = host;
        _logger = logger;
    }

    public void Normal(KubeObject obj, string reason, string message, string? fieldPath = null) =>
        _ = RecordAsync(obj, "Normal", reason, message, fieldPath);

    public void Warning(KubeObject obj, string reason, string message, string? fieldPath = null) =>
        _ = RecordAsync(obj, "Warning", reason, message, fieldPath);

    public async Task RecordAsync(KubeObject obj, string type, string reason, string message, string? fieldPath = null)
    {
        var now = DateTimeOffset.UtcNow;
        var ns = string.IsNullOrEmpty(obj.Metadata.Namespace) ? "default" : obj.Metadata.Namespace;
        var nanos = (now - DateTimeOffset.UnixEpoch).Ticks * 100;
        var ev = new Event
        {
            ApiVersion = "v1",
            Kind = "Event",
            Metadata = new ObjectMeta
            {
                Name = $"{obj.Metadata.Name}.{nanos.ToString("x", CultureInfo.InvariantCulture)}",
                Namespace = ns,
            },
            InvolvedObject = ObjectReference.To(obj) with { FieldPath = fieldPath },
            Reason = reason,
            Message = message,
            Type = type,
            Count = 1,
            FirstTimestamp = now,
            LastTimestamp = now,
            Source = new EventSource { Component = _component, Host = _host },
            ReportingComponent = _component,
            ReportingInstance = _host ?? "",
        };
        try
        {
            await _events.CreateAsync(ev);
        }
        catch (Exception e) when (e is KubeApiException or HttpRequestException or TimeoutException or IOException)
        {
            LogEventFailed(_logger, reason, obj.Key(), e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not record event {Reason} for {Key}: {Error}")]
    private static partial void LogEventFailed(ILogger logger, string reason, string key, string error);
}
