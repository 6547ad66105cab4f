using System.Net.Http.Headers;
using System.Text;
using DataMover.EndToEnd.Tests.Support;
using DataMover.Kube.Client;
using DataMover.Kube.Config;
using DataMover.Operator.Hosting;
using DataMover.Sandbox.ControlPlane;
using DataMover.Sandbox.Hosting;
using DataMover.Sandbox.Node;
using Microsoft.Extensions.Logging;

namespace DataMover.EndToEnd.Tests.Backup;

/// <summary>
/// The whole data path for one test class: a sandbox cluster with its control plane and node agent (provisioner,
/// job controller, kubelet running the real mover/entrypoint.sh with rclone under bubblewrap), the DataMover and
/// DataMoverRestore CRDs from deploy/, the operator in-process watching all namespaces, and a real S3 server (s3rver). Tests isolate
/// themselves with their own namespace and bucket (<see cref="BackupScenario"/>).
/// </summary>
public class BackupClusterFixture : IAsyncLifetime
{
    /// <summary>
    /// Kubernetes waits 10s, then 20s, before replacing a failed Job pod. Failure tests sit through two of those
    /// per DataMover; a shorter first delay keeps the class fast without changing what happens (3 pods, backoffLimit 2).
    /// </summary>
    private static readonly TimeSpan JobPodFailureBackoff = TimeSpan.FromSeconds(1);

    private readonly CapturingLoggerProvider _sandboxLogs = new();
    private readonly CapturingLoggerProvider _operatorLogs = new();
    private ILoggerFactory? _sandboxLoggers;
    private ILoggerFactory? _operatorLoggers;
    private string? _dataDir;
    private S3Server? _s3;
    private SandboxCluster? _cluster;
    private KubeClient? _client;
    private HttpClient? _http;
    private IAsyncDisposable? _operator;
    private int _namespaces;

    internal S3Server S3 => _s3 ?? throw NotInitialized();

    /// <summary>The operator's clock; the cluster and the mover always run on real time.</summary>
    protected virtual TimeProvider Time => TimeProvider.System;

    internal SandboxCluster Cluster => _cluster ?? throw NotInitialized();

    internal KubeClient Client => _client ?? throw NotInitialized();

    /// <summary>Raw HTTP to the API server (admin token, CA trusted): pods/log, and objects as the server stores them.</summary>
    internal HttpClient Http => _http ?? throw NotInitialized();

    /// <summary>Everything the operator logged, at every level.</summary>
    internal virtual IReadOnlyList<string> OperatorLog => _operatorLogs.Lines;

    /// <summary>Warnings and errors of the sandbox's components (for failure diagnostics).</summary>
    internal IReadOnlyList<string> SandboxLog => _sandboxLogs.Lines;

    public async Task InitializeAsync()
    {
        _dataDir = Directory.CreateTempSubdirectory("datamover-e2e-").FullName;
        // Temp subdirectories are private (0700), but the kubelet runs mover containers as the pod's uid (65534),
        // which must traverse this directory to reach the volumes beneath it, as with the sandbox's default data dir.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_dataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
        _s3 = await S3Server.StartAsync();

        _sandboxLoggers = LoggerFactory.Create(b => b.AddProvider(_sandboxLogs).SetMinimumLevel(LogLevel.Warning));
        var options = new SandboxOptions { DataDir = Path.Combine(_dataDir, "cluster"), LoggerFactory = _sandboxLoggers };
        SandboxComponents.AddDefaults(
            options,
            new ControlPlaneOptions { JobPodFailureBackoff = JobPodFailureBackoff },
            // The node finds mover/entrypoint.sh for the ghcr.io/datamover-operator/rclone-mover image under RepoRoot.
            new NodeAgentOptions { DataDir = Path.Combine(_dataDir, "node"), RepoRoot = RepoPaths.Root });
        _cluster = await SandboxCluster.StartAsync(options);
        _client = new KubeClient(KubeConfigLoader.Load(_cluster.KubeconfigPath));
        _http = _cluster.CreateHttpClient();
        // Both kinds before the operator starts: its restore controller waits for the restore informers to sync.
        await InstallCrdAsync("datamovers.yaml", "datamovers");
        await InstallCrdAsync("datamoverrestores.yaml", "datamoverrestores");
        await InstallCrdAsync("datamoverschedules.yaml", "datamoverschedules");

        var operatorKubeconfig = await global::DataMover.Operator.Tests.Support.OperatorIdentity.InstallAsync(_cluster);
        using var ready = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        _operator = await StartOperatorAsync(operatorKubeconfig, ready.Token);
    }

    /// <summary>Starts the operator under its ServiceAccount and returns once it is ready: here in-process, watching all namespaces.</summary>
    protected virtual async Task<IAsyncDisposable> StartOperatorAsync(string operatorKubeconfig, CancellationToken ready)
    {
        _operatorLoggers = LoggerFactory.Create(b => b.AddProvider(_operatorLogs).SetMinimumLevel(LogLevel.Trace));
        var host = await OperatorHost.StartAsync(new OperatorOptions
        {
            KubeconfigPath = operatorKubeconfig,
            MetricsBindAddress = "127.0.0.1:0",
            HealthProbeBindAddress = "127.0.0.1:0",
            LoggerFactory = _operatorLoggers,
            Time = Time,
        });
        await host.WaitUntilReadyAsync(ready);
        return host;
    }

    public async Task DisposeAsync()
    {
        if (_operator is not null)
        {
            await _operator.DisposeAsync();
        }

        _operatorLoggers?.Dispose();
        _http?.Dispose();
        _client?.Dispose();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        _sandboxLoggers?.Dispose();
        if (_s3 is not null)
        {
            await _s3.DisposeAsync();
        }

        if (_dataDir is not null)
        {
            try
            {
                Directory.Delete(_dataDir, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a leftover temp directory must not fail the run.
            }
        }
    }

    /// <summary>A fresh namespace (and scenario helpers bound to it), so tests never see each other's objects.</summary>
    internal async Task<BackupScenario> NewScenarioAsync(string purpose)
    {
        var name = $"{purpose}-{Interlocked.Increment(ref _namespaces)}-{Guid.NewGuid().ToString("n")[..6]}";
        var scenario = new BackupScenario(this, name);
        await scenario.CreateNamespaceAsync();
        return scenario;
    }

    private async Task InstallCrdAsync(string file, string plural)
    {
        var yaml = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "deploy", "crds", file));
        using var content = new StringContent(yaml, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/yaml");
        using var created = await Http.PostAsync(new Uri(Cluster.Url, "apis/apiextensions.k8s.io/v1/customresourcedefinitions"), content);
        if (!created.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"CRD {file} not accepted ({(int)created.StatusCode}): {await created.Content.ReadAsStringAsync()}");
        }

        // The CRD is served once established; the operator's informers must not start before that.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            using var probe = await Http.GetAsync(new Uri(Cluster.Url, "apis/datamover.a-cup-of.coffee/v1alpha1/" + plural));
            if (probe.IsSuccessStatusCode)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"CRD {file} not served after 30s: {(int)probe.StatusCode}");
            }

            await Task.Delay(50);
        }
    }

    private static InvalidOperationException NotInitialized() => new("The fixture has not been initialized.");
}
