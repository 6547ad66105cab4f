using DataMover.Kube.Models;

namespace DataMover.Operator.Api;

/// <summary>
/// The identity part of a pod securityContext, the only part a DataMover may choose: the hardening (non-root,
/// read-only root, no capabilities, no escalation, RuntimeDefault seccomp) is not negotiable.
/// </summary>
public sealed record MoverPodSecurityContext : KubeModel
{
    public long? RunAsUser { get; init; }
    public long? RunAsGroup { get; init; }
    public long? FsGroup { get; init; }
    public IReadOnlyList<long>? SupplementalGroups { get; init; }
    /// <summary>OnRootMismatch or Always.</summary>
    public string? FsGroupChangePolicy { get; init; }
}
