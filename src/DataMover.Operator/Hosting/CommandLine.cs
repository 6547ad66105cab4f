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
        var unhealthyAfter = new Option<string>("--informer-unhealthy-after")
        {
            Description = "Fail /readyz once an informer has been unable to list or watch for this long, e.g. 60s (env DATAMOVER_INFORMER_UNHEALTHY_AFTER)",
            DefaultValueFactory = _ => Env("DATAMOVER_INFORMER_UNHEALTHY_AFTER") ?? "1m",
        };
        var shutdownGrace = new Option<string>("--shutdown-grace")
        {
            Description = "On SIGTERM, how long reconciles in flight may finish before they are cancelled, e.g. 10s (env DATAMOVER_SHUTDOWN_GRACE)",
            DefaultValueFactory = _ => Env("DATAMOVER_SHUTDOWN_GRACE") ?? "10s",
        };
        foreach (var duration in new[] { unhealthyAfter, shutdownGrace })
        {
            duration.Validators.Add(r =>
            {
                if (Api.KubeDuration.TryParse(r.GetValueOrDefault<string>(), out var error) is null)
                {
                    r.AddError($"{duration.Name}: {error}");
                }
            });
        }

        workers.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--max-concurrent-reconciles must be at least 1");
            }
        });

        var root = new RootCommand("DataMover operator: backs up PVCs by cloning them and syncing the clone to S3")
        {
            kubeconfig, ns, metrics, health, workers, image, leaderElect, unhealthyAfter, shutdownGrace,
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
            InformerUnhealthyAfter = Api.KubeDuration.TryParse(result.GetValue(unhealthyAfter), out _)!.Value,
            ShutdownGrace = Api.KubeDuration.TryParse(result.GetValue(shutdownGrace), out _)!.Value,
        }, ct));
        return root;
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;
}
