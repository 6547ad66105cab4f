using DataMover.Operator.Events;
using DataMover.Kube.Models;

namespace DataMover.Operator.Scheduling;

/// <summary>An event sink that only logs; the default until the host passes a recorder that writes Events.</summary>
internal sealed partial class LoggingScheduleEvents(ILogger logger) : IEventSink
{
    public void Normal(KubeObject obj, string reason, string message) => LogNormal(logger, obj.Key(), reason, message);

    public void Warning(KubeObject obj, string reason, string message) => LogWarning(logger, obj.Key(), reason, message);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Key}: {Reason}: {Message}")]
    private static partial void LogNormal(ILogger logger, string key, string reason, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Key}: {Reason}: {Message}")]
    private static partial void LogWarning(ILogger logger, string key, string reason, string message);
}
