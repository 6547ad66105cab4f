namespace DataMover.Sandbox.Hosting;

/// <summary>How to start a <see cref="SandboxCluster"/>.</summary>
public sealed class SandboxOptions
{
    /// <summary>TCP port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>Where to write the kubeconfig; defaults to <c>&lt;DataDir&gt;/kubeconfig</c>.</summary>
    public string? KubeconfigPath { get; set; }

    /// <summary>Directory for volumes and other node state; defaults to a fresh temporary directory.</summary>
    public string? DataDir { get; set; }

    /// <summary>Initial fault spec (see <see cref="FaultInjector"/>); null for none.</summary>
    public string? Faults { get; set; }

    /// <summary>Tells node components (kubelet, provisioner) not to start.</summary>
    public bool NoNode { get; set; }

    /// <summary>
    /// Install the external snapshotter's CRDs (snapshot.storage.k8s.io) at start, as most managed clusters have them;
    /// false models a cluster without them.
    /// </summary>
    public bool InstallSnapshotCrds { get; set; } = true;

    /// <summary>Serve HTTPS with a generated CA (default) or plain HTTP.</summary>
    public bool UseTls { get; set; } = true;

    /// <summary>
    /// The OwnerReferencesPermissionEnforcement admission plugin: setting ownerReferences needs delete on the object,
    /// blockOwnerDeletion needs update on the owner's finalizers. On by default (OpenShift and hardened clusters enable it).
    /// </summary>
    public bool OwnerReferencesPermissionEnforcement { get; set; } = true;

    /// <summary>Watch events kept per resource for resuming watches; older versions get 410 Gone.</summary>
    public int WatchHistoryLimit { get; set; } = 1000;

    /// <summary>Events buffered per watcher before a slow watcher is closed.</summary>
    public int WatchQueueCapacity { get; set; } = 1024;

    /// <summary>How often watchers that asked for bookmarks receive one.</summary>
    public TimeSpan BookmarkInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Logging; null logs warnings and above to stderr.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Factories for components hosted with the server (control plane, node agent).</summary>
    public IList<Func<SandboxContext, IHostedComponent>> Components { get; } = [];
}
