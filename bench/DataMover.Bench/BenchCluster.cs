using System.Text.RegularExpressions;
using DataMover.Kube.Client;
using DataMover.Kube.Config;

namespace DataMover.Bench;

/// <summary>
/// The sandbox cluster as a separate process, set up as an administrator would (CRDs, the operator's RBAC, a token
/// for its ServiceAccount), plus the bench's own admin client for creating backups and watching them.
/// </summary>
internal sealed partial class BenchCluster : IAsyncDisposable
{
    /// <summary>A mover that does no work but speaks the protocol, so the operator accepts its result.</summary>
    public const string NoopMoverImage = "bench.local/noop-mover:1";

    private const string NoopMoverScript = """
        #!/bin/sh
        # The bench's no-op mover: reports a successful backup of the folder the operator chose (docs/mover-protocol.md).
        printf '{"kind":"DataMoverResult","formatVersion":1,"mode":"backup","outcome":"Succeeded","path":"%s","folder":"%s","destination":"s3://bench/%s","files":0,"bytes":0,"verified":"none","message":"bench no-op mover"}' \
          "$DATAMOVER_PATH" "$DATAMOVER_DESTINATION_PREFIX" "$DATAMOVER_DESTINATION_PREFIX" > /dev/termination-log
        """;

    private BenchCluster(ChildProcess process, string kubeconfig, string operatorKubeconfig)
    {
        Process = process;
        Kubeconfig = kubeconfig;
        OperatorKubeconfig = operatorKubeconfig;
        Kubectl = new Kubectl(kubeconfig);
        Client = new KubeClient(KubeConfigLoader.Load(kubeconfig));
    }

    public ChildProcess Process { get; }

    public string Kubeconfig { get; }

    /// <summary>Same server, the operator's ServiceAccount token as user.</summary>
    public string OperatorKubeconfig { get; }

    public Kubectl Kubectl { get; }

    public KubeClient Client { get; }

    public static async Task<BenchCluster> StartAsync(BenchOptions options, string workDir, CancellationToken ct)
    {
        var images = Path.Combine(workDir, "images");
        Directory.CreateDirectory(images);
        var script = Path.Combine(images, "noop-mover.sh");
        await File.WriteAllTextAsync(script, NoopMoverScript.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n", ct);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, (UnixFileMode)Convert.ToInt32("755", 8));
        }

        var kubeconfig = Path.Combine(workDir, "kubeconfig");
        var dll = Path.Combine(options.RepoRoot, "src/DataMover.Sandbox/bin/Release/net10.0/DataMover.Sandbox.dll");
        var process = ChildProcess.Start("sandbox",
            CommandRunner.Info("dotnet", dll, "serve", "--kubeconfig", kubeconfig, "--port", "0", "--data-dir", Path.Combine(workDir, "volumes"),
                "--image", "bench.local/noop-mover=" + script),
            Path.Combine(workDir, "sandbox.log"));
        try
        {
            await process.WaitForLineAsync(ReadyLine(), TimeSpan.FromSeconds(90), ct);
            var kubectl = new Kubectl(kubeconfig);
            await kubectl.RunAsync(ct, "wait", "--for=condition=Ready", "node", "--all", "--timeout=60s");
            await kubectl.RunAsync(ct, "apply", "-f", Path.Combine(options.RepoRoot, "deploy/crds/"));
            await kubectl.RunAsync(ct, "wait", "--for=condition=Established", "crd", "--all", "--timeout=60s");
            await kubectl.RunAsync(ct, "apply", "-f", Path.Combine(options.RepoRoot, "deploy/manager/namespace.yaml"));
            await kubectl.RunAsync(ct, "apply", "-k", Path.Combine(options.RepoRoot, "deploy/rbac"));
            var token = (await kubectl.RunAsync(ct, "create", "token", "datamover-operator-controller-manager", "-n", "datamover-operator-system", "--duration=6h")).Trim();
            var operatorKubeconfig = Path.Combine(workDir, "operator.kubeconfig");
            File.Copy(kubeconfig, operatorKubeconfig);
            var user = (await kubectl.RunAsync(ct, "config", "view", "-o", "jsonpath={.users[0].name}")).Trim();
            await new Kubectl(operatorKubeconfig).RunAsync(ct, "config", "set-credentials", user, "--token=" + token);
            return new BenchCluster(process, kubeconfig, operatorKubeconfig);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A namespace with the storage Secret and a bound source PVC; returns the PVC's directory on the host, where the
    /// bench writes the data the backups copy (as scripts/demo.sh does).
    /// </summary>
    public async Task<string> PrepareNamespaceAsync(string ns, IReadOnlyDictionary<string, string> secret, CancellationToken ct)
    {
        await Kubectl.RunAsync(ct, "create", "namespace", ns);
        await Kubectl.RunAsync(ct, ["create", "secret", "generic", "bench-storage", "-n", ns, .. secret.Select(kv => $"--from-literal={kv.Key}={kv.Value}")]);
        await Kubectl.RunAsync($$"""
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata:
              name: bench-source
              namespace: {{ns}}
            spec:
              accessModes: [ReadWriteOnce]
              resources:
                requests:
                  storage: 4Gi
            """, ct, "apply", "-f", "-");
        await Kubectl.RunAsync(ct, "wait", "-n", ns, "--for=jsonpath={.status.phase}=Bound", "pvc/bench-source", "--timeout=60s");
        var volume = (await Kubectl.RunAsync(ct, "get", "pvc", "bench-source", "-n", ns, "-o", "jsonpath={.spec.volumeName}")).Trim();
        return (await Kubectl.RunAsync(ct, "get", "pv", volume, "-o", "jsonpath={.spec.hostPath.path}")).Trim();
    }

    /// <summary>A backup of the namespace's source PVC into its own timestamped folder; the clone is deleted afterwards.</summary>
    public static BenchDataMover Backup(string ns, string name) => new()
    {
        Metadata = new() { Name = name, Namespace = ns },
        Spec = new BenchDataMoverSpec
        {
            SourcePvc = "bench-source",
            SecretName = "bench-storage",
            AddTimestampPrefix = true,
            DeletePvcAfterBackup = true,
        },
    };

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Process.DisposeAsync();
    }

    [GeneratedRegex("^sandbox ready: ")]
    private static partial Regex ReadyLine();
}
