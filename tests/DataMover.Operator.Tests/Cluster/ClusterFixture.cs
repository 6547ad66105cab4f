using System.Net.Http.Headers;
using System.Text;
using DataMover.Kube.Client;
using DataMover.Kube.Config;
using DataMover.Kube.Models;
using DataMover.Sandbox.ControlPlane;
using DataMover.Sandbox.Hosting;
using DataMover.Sandbox.Node;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataMover.Operator.Tests.Cluster;

/// <summary>
/// The full sandbox (API server, control plane with job controller and garbage collector, node agent with CSI
/// provisioners and a kubelet) with the operator in-process. The mover image is mapped to a quick script that
/// behaves like the mover: reads /data, writes $HOME, reports its result as docs/mover-protocol.md says (one line of
/// JSON as the termination message); in restore mode it writes a file into /data
/// and reports a restore result, in inspect mode it reports a backup of sourceCapacity 2Gi (restores named *inspect-fail* fail) (tests/DataMover.Operator.Tests/Restore); in prune mode it lists MOVER_TEST_PRUNE_BACKUPS (one compact entry a line, SELF standing for the schedule's uid) less the folders it was told to delete (tests/DataMover.Operator.Tests/Retention). Tests steer it through keys of the storage Secret (MOVER_TEST_*, which reach it
/// as DATAMOVER_SECRET_MOVER_TEST_*; MOVER_TEST_SLEEP_FOR limits the sleep to the DataMovers whose name matches that
/// glob): additionalEnv may not name them.
/// </summary>
public class ClusterFixture : IAsyncLifetime
{
    public const string MoverImage = "example.local/mover:test";

    /// <summary>Exits 0 with this plain text instead of a result, as a mover that copies nothing would (busybox).</summary>
    public const string PlainExitKey = "MOVER_TEST_PLAIN";

    private const string MoverScript = """
        #!/bin/sh
        set -e
        if [ "$MOVER_MODE" = inspect ]; then
          case "$DATAMOVER_NAME" in *inspect-fail*) printf 'no complete backup under s3://bucket/%s/ (no folder with a .datamover-manifest.json)' "$DATAMOVER_PATH" > /dev/termination-log; exit 2 ;; esac
          folder="$DATAMOVER_RESTORE_FOLDER"
          [ "$folder" = latest ] && folder=2026-11-30-085704
          printf '{"kind":"DataMoverResult","formatVersion":1,"mode":"inspect","outcome":"Succeeded","path":"%s","folder":"%s","sourceCapacity":"2Gi","files":1,"bytes":100,"message":"inspected"}' \
            "$DATAMOVER_PATH" "$folder" > /dev/termination-log
          exit 0
        fi
        if [ "$MOVER_MODE" = prune ]; then
          [ -z "$DATAMOVER_SECRET_MOVER_TEST_PRUNE_SLEEP" ] || sleep "$DATAMOVER_SECRET_MOVER_TEST_PRUNE_SLEEP"
          if [ -n "$DATAMOVER_SECRET_MOVER_TEST_PRUNE_FAIL" ]; then printf '%s' "$DATAMOVER_SECRET_MOVER_TEST_PRUNE_FAIL" > /dev/termination-log; exit 2; fi
          printf '%s\n' "$DATAMOVER_SECRET_MOVER_TEST_PRUNE_BACKUPS" > "$HOME/listing"
          backups=""; pruned=0
          while IFS= read -r line; do
            [ -n "$line" ] || continue
            f=$(printf '%s' "$line" | sed -n 's/.*"f":"\([^"]*\)".*/\1/p')
            if printf '%s\n' "$DATAMOVER_PRUNE_FOLDERS" | grep -qxF "$f"; then pruned=$((pruned + 1)); continue; fi
            backups="$backups${backups:+,}$(printf '%s' "$line" | sed "s/SELF/$DATAMOVER_SCHEDULE_UID/")"
          done < "$HOME/listing"
          printf '{"kind":"DataMoverResult","formatVersion":1,"mode":"prune","outcome":"Succeeded","path":"%s","folder":"","pruned":%s,"backups":[%s],"truncated":false,"message":"test prune"}' \
            "$DATAMOVER_PATH" "$pruned" "$backups" > /dev/termination-log
          exit 0
        fi
        if [ "$MOVER_MODE" = restore ]; then
          folder="$DATAMOVER_RESTORE_FOLDER"
          [ "$folder" = latest ] && folder=2026-11-30-085704
          case "$DATAMOVER_NAME" in *slow*) sleep 4 ;; esac
          echo "$DATAMOVER_PATH/$folder" > /data/restored.txt
          case "$DATAMOVER_NAME" in *plain*) printf 'restore complete' > /dev/termination-log; exit 0 ;; esac
          printf '{"kind":"DataMoverResult","formatVersion":1,"mode":"restore","outcome":"Succeeded","path":"%s","folder":"%s","files":1,"bytes":%s,"verified":"none","message":"restore complete"}' \
            "$DATAMOVER_PATH" "$folder" "$(wc -c < /data/restored.txt)" > /dev/termination-log
          exit 0
        fi
        ls /data >/dev/null
        touch "$HOME/rclone.conf"
        if [ -n "$DATAMOVER_SECRET_MOVER_TEST_SLEEP" ]; then
          case "$DATAMOVER_NAME" in ${DATAMOVER_SECRET_MOVER_TEST_SLEEP_FOR:-*}) sleep "$DATAMOVER_SECRET_MOVER_TEST_SLEEP" ;; esac
        fi
        if [ -n "$DATAMOVER_SECRET_MOVER_TEST_FAIL" ]; then
          printf '%s' "$DATAMOVER_SECRET_MOVER_TEST_FAIL" > /dev/termination-log
          exit "${DATAMOVER_SECRET_MOVER_TEST_EXIT:-3}"
        fi
        if [ -n "$DATAMOVER_SECRET_MOVER_TEST_PLAIN" ]; then
          printf '%s' "$DATAMOVER_SECRET_MOVER_TEST_PLAIN" > /dev/termination-log
          exit 0
        fi
        dest="s3://$DATAMOVER_SECRET_BUCKET_NAME/"
        if [ -n "$DATAMOVER_PATH" ]; then dest="$dest$DATAMOVER_PATH/"; fi
        if [ -n "$DATAMOVER_DESTINATION_PREFIX" ]; then dest="$dest$DATAMOVER_DESTINATION_PREFIX/"; fi
        files=$(ls /data | wc -l | tr -d ' ')
        ignored=""
        for key in $(env | sed -n 's/^DATAMOVER_SECRET_\([A-Za-z0-9_]*\)=.*/\1/p' | sort -u); do
          case "$key" in
            AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|AWS_REGION|BUCKET_HOST|BUCKET_NAME|BUCKET_PORT|TLS_HOST|MOVER_REMOTE|MOVER_REMOTE_PATH|MOVER_VERIFY|RCLONE_*|MOVER_TEST_*) ;;
            *) ignored="$ignored${ignored:+,}\"$key\"" ;;
          esac
        done
        printf '{"kind":"DataMoverResult","formatVersion":1,"mode":"%s","outcome":"Succeeded","path":"%s","folder":"%s","destination":"%s","files":%s,"bytes":0,"verified":"none","ignoredSecretKeys":[%s],"message":"test mover"}' \
          "$MOVER_MODE" "$DATAMOVER_PATH" "$DATAMOVER_DESTINATION_PREFIX" "$dest" "$files" "$ignored" > /dev/termination-log
        """;

    private string _scriptDir = "";

    private ILoggerFactory _operatorLoggers = NullLoggerFactory.Instance;

    public SandboxCluster Cluster { get; private set; } = null!;

    public KubeClient Client { get; private set; } = null!;

    /// <summary>The operator's own identity: its ServiceAccount's token, bound by deploy/rbac (tests use the admin).</summary>
    public string OperatorKubeconfigPath { get; private set; } = "";

    public HttpClient Http { get; private set; } = null!;

    public Hosting.OperatorHost Operator { get; private set; } = null!;

    /// <summary>The operator's log, for tests that check what it never says (Secret values).</summary>
    public Sandbox.ListLoggerProvider OperatorLog { get; } = new();

    /// <summary>The operator's clock; the cluster itself always runs on real time.</summary>
    protected virtual TimeProvider Time => TimeProvider.System;

    /// <summary>Installs the operator's RBAC as an administrator would; a kubeconfig with its ServiceAccount's token.</summary>
    protected virtual Task<string> InstallOperatorIdentityAsync() => Support.OperatorIdentity.InstallAsync(Cluster);

    /// <summary>The sandbox beyond the fixture's defaults (a fixture for a cluster without the snapshot CRDs overrides this).</summary>
    protected virtual SandboxOptions ConfigureSandbox(SandboxOptions options) => options;

    /// <summary>The operator's flags beyond the fixture's own (a fixture for a flag overrides this).</summary>
    protected virtual Hosting.OperatorOptions Configure(Hosting.OperatorOptions options) => options;

    public async Task InitializeAsync()
    {
        // Not under /tmp: pods get a private /tmp, while the rest of the host file system is visible read-only.
        _scriptDir = Path.Combine(AppContext.BaseDirectory, "dm-mover-" + Guid.NewGuid().ToString("n")[..8]);
        Directory.CreateDirectory(_scriptDir);
        var script = Path.Combine(_scriptDir, "mover.sh");
        await File.WriteAllTextAsync(script, MoverScript.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
        // The sandbox runs pods under bubblewrap: Linux only.
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("the sandbox node needs Linux");
        }

        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

        var options = new SandboxOptions { LoggerFactory = NullLoggerFactory.Instance };
        SandboxComponents.AddDefaults(
            options,
            new ControlPlaneOptions { JobPodFailureBackoff = TimeSpan.FromMilliseconds(200), JobPodFailureBackoffMax = TimeSpan.FromSeconds(1) },
            new NodeAgentOptions { DataDir = "", SlowProvisionDelay = TimeSpan.FromSeconds(1), BackOff = TimeSpan.FromMilliseconds(500), Images = new Dictionary<string, string> { ["example.local/mover"] = script } });
        Cluster = await SandboxCluster.StartAsync(ConfigureSandbox(options));
        Client = new KubeClient(KubeConfigLoader.Load(Cluster.KubeconfigPath));
        Http = Cluster.CreateHttpClient();
        foreach (var crd in new[] { "datamovers", "datamoverschedules", "datamoverrestores" })
        {
            var (status, body) = await PostYamlAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", await File.ReadAllTextAsync(Sandbox.SandboxFixture.RepoFile($"deploy/crds/{crd}.yaml")));
            Assert.True(status < 300, body);
            await WaitServedAsync(crd);
        }

        OperatorKubeconfigPath = await InstallOperatorIdentityAsync();
        _operatorLoggers = LoggerFactory.Create(b => b.AddProvider(OperatorLog).SetMinimumLevel(LogLevel.Information));
        await StartOperatorAsync();
    }

    /// <summary>Stops the operator as a crash or a rollout would, and starts a fresh one on the same cluster.</summary>
    public async Task RestartOperatorAsync()
    {
        await Operator.StopAsync();
        await StartOperatorAsync();
    }

    private async Task StartOperatorAsync()
    {
        Operator = await Hosting.OperatorHost.StartAsync(Configure(new Hosting.OperatorOptions
        {
            KubeconfigPath = OperatorKubeconfigPath,
            MetricsBindAddress = "127.0.0.1:0",
            HealthProbeBindAddress = "127.0.0.1:0",
            MoverImage = MoverImage,
            LoggerFactory = _operatorLoggers,
            Time = Time,
        }));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await Operator.WaitUntilReadyAsync(cts.Token);
    }

    public async Task DisposeAsync()
    {
        await Operator.StopAsync();
        _operatorLoggers.Dispose();
        Http.Dispose();
        Client.Dispose();
        await Cluster.DisposeAsync();
        Directory.Delete(_scriptDir, recursive: true);
    }

    public async Task<(int Status, string Body)> PostYamlAsync(string path, string yaml)
    {
        using var content = new StringContent(yaml, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/yaml");
        using var response = await Http.PostAsync(new Uri(Cluster.Url, path.TrimStart('/')), content);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Runs the real kubectl against the cluster; returns its exit code and combined output.</summary>
    public async Task<(int ExitCode, string Output)> KubectlAsync(params string[] args)
    {
        var (exitCode, output, errors) = await Support.Kubectl.TryRunAsync(Cluster.KubeconfigPath, args);
        return (exitCode, output + errors);
    }

    public async Task<string> NewNamespaceAsync(string? name = null)
    {
        name ??= "e2e-" + Guid.NewGuid().ToString("n")[..6];
        await Client.Resource(KubeResources.Namespaces).CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = name } });
        return name;
    }

    /// <summary>A namespace with a fixed name that several tests of the shared cluster may want (a sample names it).</summary>
    public async Task EnsureNamespaceAsync(string name)
    {
        try
        {
            await Client.Resource(KubeResources.Namespaces).CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = name } });
        }
        catch (KubeApiException e) when (e.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            // Another test created it first.
        }
    }

    private async Task WaitServedAsync(string plural)
    {
        for (var i = 0; i < 200; i++)
        {
            using var response = await Http.GetAsync(new Uri(Cluster.Url, "apis/datamover.a-cup-of.coffee/v1alpha1/" + plural));
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"{plural} CRD not served");
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
