namespace DataMover.Sandbox.Node;

/// <summary>How the node agent (kubelet, CSI provisioners, snapshotter) runs.</summary>
public sealed record NodeAgentOptions
{
    public string NodeName { get; init; } = "sandbox-node";

    /// <summary>Volumes, pod state and logs live here.</summary>
    public required string DataDir { get; init; }

    /// <summary>Extra image→host entrypoint mappings (<c>--image name=path</c>); repository or exact reference.</summary>
    public IReadOnlyDictionary<string, string> Images { get; init; } = new Dictionary<string, string>();

    /// <summary>Folder holding DataMover.sln (for the mover image); found upward from the app base when null.</summary>
    public string? RepoRoot { get; init; }

    /// <summary>How long the <c>slow</c> storage class takes to provision.</summary>
    public TimeSpan SlowProvisionDelay { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Node lease renewal (kubelet default 10s for a 40s lease).</summary>
    public TimeSpan LeaseRenewInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>First image pull / crash loop back-off (kubelet: 10s doubling to 5m).</summary>
    public TimeSpan BackOff { get; init; } = TimeSpan.FromSeconds(10);

    public string BwrapPath { get; init; } = "bwrap";
}
