namespace DataMover.Sandbox.ControlPlane;

/// <summary>Knobs of the sandbox control plane; defaults are Kubernetes' own.</summary>
public sealed record ControlPlaneOptions
{
    /// <summary>First delay before a Job replaces a failed pod (kube-controller-manager: 10s, doubling, max 6m).</summary>
    public TimeSpan JobPodFailureBackoff { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan JobPodFailureBackoffMax { get; init; } = TimeSpan.FromMinutes(6);

    /// <summary>Worker count per controller loop.</summary>
    public int Workers { get; init; } = 2;
}
