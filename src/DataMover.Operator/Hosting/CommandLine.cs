using System.CommandLine;
using System.Globalization;

namespace DataMover.Operator.Hosting;

/// <summary>The operator's command line; every flag can also be set through an environment variable.</summary>
internal static class CommandLine
{
    public static RootCommand Build(Func<OperatorOptions, CancellationToken, Task<int>> run)
    {
        var kubeconfig = new Option<string?>("--kubeconfig")
        {
            Description = "Path to a kubeconfig file (env DATAMOVER_KUBECONFIG or KUBECONFIG); in a pod the in-cluster config is used when unset",
            DefaultValueFactory = _ => Env("DATAMOVER_KUBECONFIG") ?? Env("KUBECONFIG"),
        };
        var ns = new Option<string?>("--namespace")
        {
            Description = "Only watch this namespace (env DATAMOVER_NAMESPACE); all namespaces when unset",
            DefaultValueFactory = _ => Env("DATAMOVER_NAMESPACE"),
        };
        var metrics = new Option<string>("--metrics-bind-address")
        {
            Description = "Address of the /metrics endpoint, host:port or 0 to disable (env DATAMOVER_METRICS_BIND_ADDRESS)",
            DefaultValueFactory = _ => Env("DATAMOVER_METRICS_BIND_ADDRESS") ?? ":8080",
        };
        var health = new Option<string>("--health-probe-bind-address")
        {
            Description = "Address of /healthz and /readyz, host:port or 0 to disable (env DATAMOVER_HEALTH_PROBE_BIND_ADDRESS)",
            DefaultValueFactory = _ => Env("DATAMOVER_HEALTH_PROBE_BIND_ADDRESS") ?? ":8081",
        };
        var workers = new Option<int>("--max-concurrent-reconciles")
        {
            Description = "DataMovers reconciled in parallel (env DATAMOVER_MAX_CONCURRENT_RECONCILES)",
            DefaultValueFactory = _ => int.TryParse(Env("DATAMOVER_MAX_CONCURRENT_RECONCILES"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 2,
        };
        var image = new Option<string>("--mover-image")
        {
            Description = "Default mover image (env DATAMOVER_MOVER_IMAGE)",
            DefaultValueFactory = _ => Env("DATAMOVER_MOVER_IMAGE") ?? Controllers.MoverImageRef.DefaultImage,
        };
        var leaderElect = new Option<bool>("--leader-elect")
        {
            Description = "Run only while holding the leader Lease, for more than one replica (env DATAMOVER_LEADER_ELECT)",
            DefaultValueFactory = _ => Env("DATAMOVER_LEADER_ELECT") is { } v && bool.TryParse(v, out var b) && b,
        };
        var defaults = Controllers.BackupTimeouts.Defaults;
        var sourceReady = Timeout("--source-ready-timeout", "DATAMOVER_SOURCE_READY_TIMEOUT", "for the source PVC to exist and be Bound", defaults.SourceReady);
        var cloneReady = Timeout("--clone-ready-timeout", "DATAMOVER_CLONE_READY_TIMEOUT", "for a clone to be Bound (or created, on WaitForFirstConsumer classes)", defaults.CloneReady);
        var moverStart = Timeout("--mover-start-timeout", "DATAMOVER_MOVER_START_TIMEOUT", "for the mover pod to start running", defaults.MoverStart);
        var moverRun = Timeout("--mover-run-timeout", "DATAMOVER_MOVER_RUN_TIMEOUT", "for the mover Job to finish (its activeDeadlineSeconds)", defaults.MoverRun);
        var cleanup = Timeout("--cleanup-timeout", "DATAMOVER_CLEANUP_TIMEOUT", "for the clone to be gone after its delete", defaults.Cleanup);
        workers.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--max-concurrent-reconciles must be at least 1");
            }
        });

        var root = new RootCommand("DataMover operator: backs up PVCs by cloning them and syncing the clone to S3")
        {
            kubeconfig, ns, metrics, health, workers, image, leaderElect, sourceReady, cloneReady, moverStart, moverRun, cleanup,
        };
        root.SetAction((result, ct) => run(new OperatorOptions
        {
            KubeconfigPath = result.GetValue(kubeconfig),
            Namespace = result.GetValue(ns),
            MetricsBindAddress = result.GetValue(metrics)!,
            HealthProbeBindAddress = result.GetValue(health)!,
            MaxConcurrentReconciles = result.GetValue(workers),
            MoverImage = result.GetValue(image)!,
            LeaderElect = result.GetValue(leaderElect),
            Timeouts = new Controllers.BackupTimeouts
            {
                SourceReady = Parse(result.GetValue(sourceReady)!),
                CloneReady = Parse(result.GetValue(cloneReady)!),
                MoverStart = Parse(result.GetValue(moverStart)!),
                MoverRun = Parse(result.GetValue(moverRun)!),
                Cleanup = Parse(result.GetValue(cleanup)!),
            },
        }, ct));
        return root;
    }

    /// <summary>A default wait bound, as a duration (90s, 15m, 1h30m) that the DataMover's spec.timeouts may override.</summary>
    private static Option<string> Timeout(string flag, string env, string what, TimeSpan fallback)
    {
        var option = new Option<string>(flag)
        {
            Description = $"Default bound on waiting {what}, e.g. 90s, 15m, 1h30m (env {env})",
            DefaultValueFactory = _ => Env(env) ?? Api.KubeDuration.Format(fallback),
        };
        option.Validators.Add(r =>
        {
            if (Api.KubeDuration.TryParse(r.GetValueOrDefault<string>(), out var error) is null)
            {
                r.AddError($"{flag}: {error}");
            }
        });
        return option;
    }

    private static TimeSpan Parse(string duration) => Api.KubeDuration.TryParse(duration, out _) ?? throw new FormatException(duration);

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;
}
