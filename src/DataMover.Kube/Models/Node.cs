using System.Text.Json.Serialization;

namespace DataMover.Kube.Models;

/// <summary>core/v1 Node.</summary>
public sealed record Node : KubeObject
{
    public NodeSpec? Spec { get; init; }
    public NodeStatus? Status { get; init; }
}

/// <summary>core/v1 NodeSpec.</summary>
public sealed record NodeSpec : KubeModel
{
    public bool? Unschedulable { get; init; }
    [JsonPropertyName("providerID")]
    public string? ProviderId { get; init; }
}

/// <summary>core/v1 NodeStatus.</summary>
public sealed record NodeStatus : KubeModel
{
    public IReadOnlyDictionary<string, string>? Capacity { get; init; }
    public IReadOnlyDictionary<string, string>? Allocatable { get; init; }
    public IReadOnlyList<NodeCondition>? Conditions { get; init; }
    public IReadOnlyList<NodeAddress>? Addresses { get; init; }
}

/// <summary>core/v1 NodeCondition.</summary>
public sealed record NodeCondition : KubeModel
{
    public string Type { get; init; } = "";
    public string Status { get; init; } = "";
    public DateTimeOffset? LastHeartbeatTime { get; init; }
    public DateTimeOffset? LastTransitionTime { get; init; }
    public string? Reason { get; init; }
    public string? Message { get; init; }
}

/// <summary>core/v1 NodeAddress.</summary>
public sealed record NodeAddress : KubeModel
{
    public string Type { get; init; } = "";
    public string Address { get; init; } = "";
}
