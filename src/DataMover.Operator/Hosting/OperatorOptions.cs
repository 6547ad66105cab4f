using DataMover.Kube.Config;

namespace DataMover.Operator.Hosting;

/// <summary>How to run the operator: the command line's flags, plus what tests inject.</summary>
public sealed record OperatorOptions
{
    /// <summary>Kubeconfig file; null uses the in-cluster config inside a pod, else the default kubeconfig.</summary>
    public string? KubeconfigPath { get; init; }

    /// <summary>Ready-made client settings (take precedence over <see cref="KubeconfigPath"/>).</summary>
    public KubeClientSettings? ClientSettings { get; init; }

    /// <summary>Namespace to watch; null for all namespaces.</summary>
    public string? Namespace { get; init; }

    /// <summary>host:port for /metrics (":8080" = all interfaces; port 0 = any free port; "0" = disabled).</summary>
    public string MetricsBindAddress { get; init; } = ":8080";

    /// <summary>
    /// Serve /metrics over HTTPS and only to callers whose bearer token passes a TokenReview and whose user may
    /// <c>get</c> the non-resource URL <c>/metrics</c> (a SubjectAccessReview), as controller-runtime's
    /// WithAuthenticationAndAuthorization filter and kube-rbac-proxy do. Needs deploy/components/metrics-auth.
    /// </summary>
    public bool MetricsSecure { get; init; }

    /// <summary>With <see cref="MetricsSecure"/>: a directory with tls.crt and tls.key; null generates a self-signed certificate.</summary>
    public string? MetricsCertDir { get; init; }

    /// <summary>host:port for /healthz and /readyz.</summary>
    public string HealthProbeBindAddress { get; init; } = ":8081";

    /// <summary>
    /// Reconciles mostly wait on the API server (a status write, a create), so workers overlap that latency: with 2, a
    /// burst of 1,000 DataMovers (about 8,000 writes) queued behind two round trips at a time.
    /// </summary>
    public const int DefaultMaxConcurrentReconciles = 10;

    public int MaxConcurrentReconciles { get; init; } = DefaultMaxConcurrentReconciles;

    /// <summary>Mover image used where spec.image leaves fields unset.</summary>
    public string MoverImage { get; init; } = DataMover.Operator.Controllers.MoverImageRef.DefaultImage;

    /// <summary>
    /// Repository patterns (<c>ghcr.io/acme/*</c>) a DataMover's spec.image may resolve to; empty allows only the
    /// repository of <see cref="MoverImage"/> (any tag or digest).
    /// </summary>
    public IReadOnlyList<string> AllowedMoverImages { get; init; } = [];

    /// <summary>Bounds on each wait of a backup, where spec.timeouts leaves them unset.</summary>
    public DataMover.Operator.Controllers.BackupTimeouts Timeouts { get; init; } = DataMover.Operator.Controllers.BackupTimeouts.Defaults;

    public bool LeaderElect { get; init; }

    /// <summary>
    /// Lets a DataMoverRestore with spec.restoreOwnership run its mover as root with CAP_CHOWN, CAP_FOWNER and
    /// CAP_DAC_OVERRIDE; without it such a restore fails with PrivilegedRestoreNotAllowed.
    /// </summary>
    public bool AllowPrivilegedRestore { get; init; }

    /// <summary>
    /// Mover pod settings every DataMover, schedule and restore gets where its spec.moverPod leaves a field unset
    /// (--mover-pod-defaults, a JSON file of the spec.moverPod shape).
    /// </summary>
    public DataMover.Operator.Api.MoverPodSettings? MoverPodDefaults { get; init; }

    /// <summary>
    /// Lets spec.moverPod.securityContext (and the defaults) name uid or gid 0, running the mover as root (still
    /// without capabilities, on a read-only root); without it such objects fail with PodSettingsNotAllowed.
    /// </summary>
    public bool AllowMoverRoot { get; init; }

    /// <summary>Namespace of the leader-election Lease; defaults to the watched or the pod's namespace.</summary>
    public string? LeaderElectionNamespace { get; init; }

    public string LeaderElectionId { get; init; } = "datamover-operator-leader";

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Logging; null logs to the console in <see cref="LogFormat"/> at <see cref="LogLevels"/>.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Text or JSON lines on the console, when <see cref="LoggerFactory"/> is null.</summary>
    public LogFormat LogFormat { get; init; } = LogFormat.Text;

    /// <summary>What the console logs, when <see cref="LoggerFactory"/> is null.</summary>
    public LogLevels LogLevels { get; init; } = LogLevels.Information;

    /// <summary>/readyz fails once any informer has been out of sync (unable to list or watch) for this long.</summary>
    public TimeSpan InformerUnhealthyAfter { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// On stop, how long reconciles in flight may run on before they are cancelled; below a pod's default
    /// terminationGracePeriodSeconds (30) so that the lease is released before the kubelet's SIGKILL.
    /// </summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The client settings these options select.</summary>
    public KubeClientSettings ResolveClientSettings()
    {
        if (ClientSettings is not null)
        {
            return ClientSettings;
        }

        if (KubeconfigPath is null && Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST") is { Length: > 0 })
        {
            return InClusterConfig.Load();
        }

        return KubeConfigLoader.Load(KubeconfigPath);
    }
}
