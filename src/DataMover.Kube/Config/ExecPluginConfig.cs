namespace DataMover.Kube.Config;

/// <summary>A kubeconfig user's <c>exec</c> section, with the cluster facts a plugin may ask for (provideClusterInfo).</summary>
internal sealed record ExecPluginConfig
{
    public required string Command { get; init; }
    public IReadOnlyList<string> Args { get; init; } = [];
    public IReadOnlyList<KeyValuePair<string, string>> Env { get; init; } = [];
    public required string ApiVersion { get; init; }
    public string? InstallHint { get; init; }
    public bool ProvideClusterInfo { get; init; }

    /// <summary>The ExecCredential spec.cluster object sent when <see cref="ProvideClusterInfo"/> is set (JSON).</summary>
    public string? ClusterJson { get; init; }
}
