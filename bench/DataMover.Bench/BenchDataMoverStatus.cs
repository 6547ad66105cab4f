using DataMover.Kube.Models;

namespace DataMover.Bench;

/// <summary>The status fields the bench follows.</summary>
internal sealed record BenchDataMoverStatus : KubeModel
{
    public string? Phase { get; init; }

    public string? JobName { get; init; }

    public IReadOnlyList<Condition>? Conditions { get; init; }
}
