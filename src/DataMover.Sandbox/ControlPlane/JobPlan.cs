using DataMover.Kube.Models;

namespace DataMover.Sandbox.ControlPlane;

/// <summary>What one sync of a Job decides: the status to write, pods to create or delete, events, next wake-up.</summary>
internal sealed record JobPlan
{
    public required JobStatus Status { get; init; }
    public int PodsToCreate { get; init; }
    public IReadOnlyList<Pod> PodsToDelete { get; init; } = [];
    public IReadOnlyList<(string Type, string Reason, string Message)> Events { get; init; } = [];
    public TimeSpan? RequeueAfter { get; init; }
}
