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
        var metricsSecure = new Option<bool>("--metrics-secure")
        {
            Description = "Serve /metrics over HTTPS to callers allowed to get /metrics (TokenReview and SubjectAccessReview; env DATAMOVER_METRICS_SECURE)",
            DefaultValueFactory = _ => Env("DATAMOVER_METRICS_SECURE") is { } v && bool.TryParse(v, out var b) && b,
        };
        var metricsCertDir = new Option<string?>("--metrics-cert-dir")
        {
            Description = "With --metrics-secure: directory holding tls.crt and tls.key; a self-signed certificate is generated when unset (env DATAMOVER_METRICS_CERT_DIR)",
            DefaultValueFactory = _ => Env("DATAMOVER_METRICS_CERT_DIR"),
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
        var allowedImages = new Option<string?>(Security.MoverImagePolicy.Flag)
        {
            Description = "Comma-separated repository patterns a DataMover's spec.image may use, e.g. ghcr.io/acme/* " +
                $"(env {Security.MoverImagePolicy.EnvVar}); default: only the --mover-image repository",
            DefaultValueFactory = _ => Env(Security.MoverImagePolicy.EnvVar),
        };
        var leaderElect = new Option<bool>("--leader-elect")
        {
            Description = "Run only while holding the leader Lease, for more than one replica (env DATAMOVER_LEADER_ELECT)",
            DefaultValueFactory = _ => Env("DATAMOVER_LEADER_ELECT") is { } v && bool.TryParse(v, out var b) && b,
        };
        var allowPrivilegedRestore = new Option<bool>("--allow-privileged-restore")
        {
            Description = "Let DataMoverRestores with spec.restoreOwnership run the mover as root with CAP_CHOWN, CAP_FOWNER and CAP_DAC_OVERRIDE (env DATAMOVER_ALLOW_PRIVILEGED_RESTORE)",
            DefaultValueFactory = _ => Env("DATAMOVER_ALLOW_PRIVILEGED_RESTORE") is { } v && bool.TryParse(v, out var b) && b,
        };
        var allowMoverRoot = new Option<bool>("--allow-mover-root")
        {
            Description = "Let spec.moverPod.securityContext name uid or gid 0 (the mover then runs as root, still without capabilities) (env DATAMOVER_ALLOW_MOVER_ROOT)",
            DefaultValueFactory = _ => AllowMoverRootFromEnv(),
        };
        var moverPodDefaults = new Option<string?>("--mover-pod-defaults")
        {
            Description = "JSON file of spec.moverPod settings every mover pod gets where its object leaves them unset (env DATAMOVER_MOVER_POD_DEFAULTS)",
            DefaultValueFactory = _ => Env("DATAMOVER_MOVER_POD_DEFAULTS"),
        };
        moverPodDefaults.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is not { Length: > 0 } path)
            {
                return;
            }

            try
            {
                Api.MoverPodSettingsFile.Load(path, Security.MoverPodSettingsPolicy.For(r.GetResult(allowMoverRoot)?.GetValueOrDefault<bool>() ?? AllowMoverRootFromEnv()));
            }
            catch (InvalidDataException e)
            {
                r.AddError(e.Message);
            }
        });
        var defaults = Controllers.BackupTimeouts.Defaults;
        var sourceReady = Duration("--source-ready-timeout", "DATAMOVER_SOURCE_READY_TIMEOUT", "Default bound on waiting for the source PVC to exist and be Bound", defaults.SourceReady);
        var cloneReady = Duration("--clone-ready-timeout", "DATAMOVER_CLONE_READY_TIMEOUT", "Default bound on waiting for a clone to be Bound (or created, on WaitForFirstConsumer classes)", defaults.CloneReady);
        var snapshotReady = Duration("--snapshot-ready-timeout", "DATAMOVER_SNAPSHOT_READY_TIMEOUT", "Default bound on waiting for a VolumeSnapshot (copyMethod Snapshot) to be readyToUse", defaults.SnapshotReady);
        var moverStart = Duration("--mover-start-timeout", "DATAMOVER_MOVER_START_TIMEOUT", "Default bound on waiting for the mover pod to start running", defaults.MoverStart);
        var moverRun = Duration("--mover-run-timeout", "DATAMOVER_MOVER_RUN_TIMEOUT", "Default bound on the mover Job's run (its activeDeadlineSeconds)", defaults.MoverRun);
        var cleanup = Duration("--cleanup-timeout", "DATAMOVER_CLEANUP_TIMEOUT", "Default bound on waiting for the clone to be gone after its delete", defaults.Cleanup);
        var unhealthyAfter = Duration("--informer-unhealthy-after", "DATAMOVER_INFORMER_UNHEALTHY_AFTER", "Fail /readyz once an informer has been unable to list or watch for this long", TimeSpan.FromMinutes(1));
        var shutdownGrace = Duration("--shutdown-grace", "DATAMOVER_SHUTDOWN_GRACE", "On SIGTERM, how long reconciles in flight may finish before they are cancelled", TimeSpan.FromSeconds(10));
        var logFormat = new Option<string>("--log-format")
        {
            Description = "Log lines as text or json, one JSON object per line (env DATAMOVER_LOG_FORMAT)",
            DefaultValueFactory = _ => Env("DATAMOVER_LOG_FORMAT") ?? "text",
        };
        logFormat.Validators.Add(r =>
        {
            if (ParseLogFormat(r.GetValueOrDefault<string>()) is null)
            {
                r.AddError($"--log-format: unknown format \"{r.GetValueOrDefault<string>()}\"; use text or json");
            }
        });
        var logLevel = new Option<string>("--log-level")
        {
            Description = "Least severe level logged: trace, debug, info, warn, error; optionally per category, " +
                "e.g. info,DataMover.Kube.Runtime.Informer=debug (env DATAMOVER_LOG_LEVEL)",
            DefaultValueFactory = _ => Env("DATAMOVER_LOG_LEVEL") ?? "info",
        };
        logLevel.Validators.Add(r =>
        {
            if (LogLevels.TryParse(r.GetValueOrDefault<string>(), out var error) is null)
            {
                r.AddError($"--log-level: {error}");
            }
        });
        workers.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--max-concurrent-reconciles must be at least 1");
            }
        });

        var root = new RootCommand("DataMover operator: backs up PVCs by cloning them and syncing the clone to S3")
        {
            kubeconfig, ns, metrics, metricsSecure, metricsCertDir, health, workers, image, allowedImages, leaderElect, allowPrivilegedRestore, allowMoverRoot, moverPodDefaults, sourceReady, cloneReady, snapshotReady, moverStart, moverRun, cleanup, unhealthyAfter, shutdownGrace, logFormat, logLevel,
        };
        root.SetAction((result, ct) => run(new OperatorOptions
        {
            KubeconfigPath = result.GetValue(kubeconfig),
            Namespace = result.GetValue(ns),
            MetricsBindAddress = result.GetValue(metrics)!,
            MetricsSecure = result.GetValue(metricsSecure),
            MetricsCertDir = result.GetValue(metricsCertDir),
            HealthProbeBindAddress = result.GetValue(health)!,
            MaxConcurrentReconciles = result.GetValue(workers),
            MoverImage = result.GetValue(image)!,
            AllowedMoverImages = Security.MoverImagePolicy.ParseList(result.GetValue(allowedImages)),
            LeaderElect = result.GetValue(leaderElect),
            AllowPrivilegedRestore = result.GetValue(allowPrivilegedRestore),
            AllowMoverRoot = result.GetValue(allowMoverRoot),
            MoverPodDefaults = result.GetValue(moverPodDefaults) is { Length: > 0 } podDefaults
                ? Api.MoverPodSettingsFile.Load(podDefaults, Security.MoverPodSettingsPolicy.For(result.GetValue(allowMoverRoot)))
                : null,
            Timeouts = new Controllers.BackupTimeouts
            {
                SourceReady = Parse(result.GetValue(sourceReady)!),
                CloneReady = Parse(result.GetValue(cloneReady)!),
                SnapshotReady = Parse(result.GetValue(snapshotReady)!),
                MoverStart = Parse(result.GetValue(moverStart)!),
                MoverRun = Parse(result.GetValue(moverRun)!),
                Cleanup = Parse(result.GetValue(cleanup)!),
            },
            InformerUnhealthyAfter = Parse(result.GetValue(unhealthyAfter)!),
            ShutdownGrace = Parse(result.GetValue(shutdownGrace)!),
            LogFormat = ParseLogFormat(result.GetValue(logFormat)) ?? throw new FormatException(result.GetValue(logFormat)),
            LogLevels = LogLevels.TryParse(result.GetValue(logLevel), out _) ?? throw new FormatException(result.GetValue(logLevel)),
        }, ct));
        return root;
    }

    /// <summary>A duration flag (90s, 15m, 1h30m), validated as Kubernetes parses durations.</summary>
    private static Option<string> Duration(string flag, string env, string description, TimeSpan fallback)
    {
        var option = new Option<string>(flag)
        {
            Description = $"{description}, e.g. 90s, 15m, 1h30m (env {env})",
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

    private static LogFormat? ParseLogFormat(string? text) => text?.ToLowerInvariant() switch
    {
        "text" => LogFormat.Text,
        "json" => LogFormat.Json,
        _ => null,
    };

    private static TimeSpan Parse(string duration) => Api.KubeDuration.TryParse(duration, out _) ?? throw new FormatException(duration);

    private static bool AllowMoverRootFromEnv() => Env("DATAMOVER_ALLOW_MOVER_ROOT") is { } v && bool.TryParse(v, out var b) && b;

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;
}
