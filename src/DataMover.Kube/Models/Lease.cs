using System.Text.Json.Serialization;
using DataMover.Kube.Json;

namespace DataMover.Kube.Models;

/// <summary>coordination.k8s.io/v1 Lease.</summary>
public sealed record Lease : KubeObject
{
    public LeaseSpec? Spec { get; init; }
}

/// <summary>coordination.k8s.io/v1 LeaseSpec; times are MicroTime on the wire.</summary>
public sealed record LeaseSpec : KubeModel
{
    public string? HolderIdentity { get; init; }
    public int? LeaseDurationSeconds { get; init; }

    [JsonConverter(typeof(MicroTimeConverter))]
    public DateTimeOffset? AcquireTime { get; init; }

    [JsonConverter(typeof(MicroTimeConverter))]
    public DateTimeOffset? RenewTime { get; init; }

    public int? LeaseTransitions { get; init; }
}
