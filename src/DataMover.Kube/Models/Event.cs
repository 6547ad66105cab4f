using System.Text.Json.Serialization;
using DataMover.Kube.Json;

namespace DataMover.Kube.Models;

/// <summary>core/v1 Event.</summary>
public sealed record Event : KubeObject
{
    public ObjectReference? InvolvedObject { get; init; }
    public string? Reason { get; init; }
    public string? Message { get; init; }
    public string? Type { get; init; }
    public int? Count { get; init; }
    public DateTimeOffset? FirstTimestamp { get; init; }
    public DateTimeOffset? LastTimestamp { get; init; }
    public EventSource? Source { get; init; }
    public string? ReportingComponent { get; init; }
    public string? ReportingInstance { get; init; }
    public string? Action { get; init; }

    [JsonConverter(typeof(MicroTimeConverter))]
    public DateTimeOffset? EventTime { get; init; }
}

/// <summary>core/v1 EventSource.</summary>
public sealed record EventSource : KubeModel
{
    public string? Component { get; init; }
    public string? Host { get; init; }
}
