namespace DataMover.Kube.Runtime;

/// <summary>Settings of a <see cref="LeaderElector"/>; the timing defaults are client-go's.</summary>
public sealed record LeaderElectionOptions
{
    /// <summary>Name of the coordination.k8s.io/v1 Lease used as the lock.</summary>
    public required string LeaseName { get; init; }

    public required string LeaseNamespace { get; init; }

    /// <summary>This process's identity in holderIdentity; unique per process (pod name plus a random suffix).</summary>
    public required string Identity { get; init; }

    /// <summary>How long a non-leader waits, after last seeing the lease change, before taking it over.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the leader keeps trying to renew before it gives up leadership.</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Interval between acquire attempts and between renewals.</summary>
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Release the lease on shutdown so a successor takes over at once instead of after LeaseDuration.</summary>
    public bool ReleaseOnCancel { get; init; } = true;
}
