using System.Text.Json.Serialization;

namespace DataMover.Kube.Models;

/// <summary>metav1.Status: the body of every API error.</summary>
public sealed record Status : KubeModel
{
    public string? ApiVersion { get; init; }
    public string? Kind { get; init; }
    /// <summary>"Success" or "Failure".</summary>
    [JsonPropertyName("status")]
    public string? Outcome { get; init; }
    public string? Message { get; init; }
    public string? Reason { get; init; }
    public StatusDetails? Details { get; init; }
    public int? Code { get; init; }
}

/// <summary>metav1.StatusDetails.</summary>
public sealed record StatusDetails : KubeModel
{
    public string? Name { get; init; }
    public string? Group { get; init; }
    public string? Kind { get; init; }
    public string? Uid { get; init; }
    public IReadOnlyList<StatusCause>? Causes { get; init; }
    public int? RetryAfterSeconds { get; init; }
}

/// <summary>metav1.StatusCause.</summary>
public sealed record StatusCause : KubeModel
{
    public string? Reason { get; init; }
    public string? Message { get; init; }
    public string? Field { get; init; }
}
