using System.Text;
using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Sandbox.Tests.ControlPlane;

namespace DataMover.Sandbox.Tests.Node;

[Collection(ClusterCollection.Name)]
public sealed class PodIsolationTests
{
    private readonly ClusterFixture _fx;

    public PodIsolationTests(ClusterFixture fx) => _fx = fx;

    [Fact]
    public async Task PodSeesExactlyItsSpecEnvironmentAndNothingFromTheHost()
    {
        var ns = await _fx.NewNamespaceAsync("env");
        await _fx.Client.Resource(KubeResources.Secrets).CreateAsync(new Secret
        {
            Metadata = new ObjectMeta { Name = "creds", Namespace = ns },
            Data = new Dictionary<string, string> { ["key"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("s3cret")), ["1bad"] = "eA==" },
        });
        await _fx.Client.Resource(KubeResources.ConfigMaps).CreateAsync(new ConfigMap
        {
            Metadata = new ObjectMeta { Name = "cfg", Namespace = ns },
            Data = new Dictionary<string, string> { ["MODE"] = "fast", ["1bad"] = "x" },
        });
        var pod = ClusterFixture.ShellPod(ns, "env", "env");
        pod = pod with
        {
            Spec = pod.Spec! with
            {
                Containers =
                [
                    pod.Spec.Containers[0] with
                    {
                        EnvFrom =
                        [
                            new EnvFromSource { ConfigMapRef = new LocalObjectReference { Name = "cfg" }, Prefix = "CM_" },
                            new EnvFromSource { SecretRef = new LocalObjectReference { Name = "missing", Optional = true } },
                            new EnvFromSource { SecretRef = new LocalObjectReference { Name = "creds" } },
                        ],
                        Env =
                        [
                            new EnvVar { Name = "A", Value = "one" },
                            new EnvVar { Name = "B", Value = "$(A)-two" },
                            new EnvVar { Name = "C", Value = "$$(A)" },
                            new EnvVar { Name = "D", Value = "$(UNDEFINED)" },
                            new EnvVar { Name = "SECRET", ValueFrom = new EnvVarSource { SecretKeyRef = new KeySelector { Name = "creds", Key = "key" } } },
                            new EnvVar { Name = "OPT", ValueFrom = new EnvVarSource { ConfigMapKeyRef = new KeySelector { Name = "nope", Key = "k", Optional = true } } },
                            new EnvVar { Name = "POD", ValueFrom = new EnvVarSource { FieldRef = new ObjectFieldSelector { FieldPath = "metadata.name" } } },
                            new EnvVar { Name = "NS", ValueFrom = new EnvVarSource { FieldRef = new ObjectFieldSelector { FieldPath = "metadata.namespace" } } },
                            new EnvVar { Name = "NODE", ValueFrom = new EnvVarSource { FieldRef = new ObjectFieldSelector { FieldPath = "spec.nodeName" } } },
                        ],
                    },
                ],
            },
        };
        await _fx.Client.Resource(KubeResources.Pods).CreateAsync(pod);
        await _fx.WaitForPhaseAsync(ns, "env", "Succeeded");

        var logs = await _fx.LogsAsync(ns, "env");
        var env = logs.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");
        Assert.DoesNotContain(ClusterFixture.HostOnlyVariable, env.Keys);
        // PWD and SHLVL are the shell's own.
        var expected = new Dictionary<string, string>
        {
            ["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            ["HOSTNAME"] = "env",
            ["HOME"] = "/root",
            ["CM_MODE"] = "fast",
            ["CM_1bad"] = "x",
            ["key"] = "s3cret",
            ["A"] = "one",
            ["B"] = "one-two",
            ["C"] = "$(A)",
            ["D"] = "$(UNDEFINED)",
            ["SECRET"] = "s3cret",
            ["POD"] = "env",
            ["NS"] = ns,
            ["NODE"] = "sandbox-node",
        };
        var actual = env.Where(kv => kv.Key is not ("PWD" or "SHLVL" or "_")).ToDictionary();
        Assert.Equal(expected.OrderBy(kv => kv.Key), actual.OrderBy(kv => kv.Key));
    }

    [Fact]
    public async Task PodWritesOnlyToItsVolumesAndRunsAsTheRequestedUser()
    {
        var ns = await _fx.NewNamespaceAsync("fs");
        await _fx.Client.Resource(KubeResources.PersistentVolumeClaims).CreateAsync(Claim(ns, "data", "standard"));
        var script = "id -u; id -g; touch /x 2>/dev/null && echo root-writable; touch /etc/x 2>/dev/null && echo etc-writable; " +
                     "touch /tmp/x 2>/dev/null && echo tmp-writable; echo hello > /data/f && echo data-ok; echo scratch > /scratch/s && echo scratch-ok";
        var pod = ClusterFixture.ShellPod(ns, "fs", script);
        pod = pod with
        {
            Spec = pod.Spec! with
            {
                // Volumes come root-owned 0755 as on a node: fsGroup is what makes them writable for a non-root user.
                SecurityContext = new PodSecurityContext { RunAsUser = 65534, RunAsGroup = 65534, FsGroup = 65534 },
                Volumes =
                [
                    new Volume { Name = "data", PersistentVolumeClaim = new PersistentVolumeClaimVolumeSource { ClaimName = "data" } },
                    new Volume { Name = "scratch", EmptyDir = new EmptyDirVolumeSource() },
                ],
                Containers =
                [
                    pod.Spec.Containers[0] with
                    {
                        SecurityContext = new SecurityContext { ReadOnlyRootFilesystem = true },
                        VolumeMounts = [new VolumeMount { Name = "data", MountPath = "/data" }, new VolumeMount { Name = "scratch", MountPath = "/scratch" }],
                    },
                ],
            },
        };
        await _fx.Client.Resource(KubeResources.Pods).CreateAsync(pod);
        await _fx.WaitForPhaseAsync(ns, "fs", "Succeeded");
        var lines = (await _fx.LogsAsync(ns, "fs")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["65534", "65534", "data-ok", "scratch-ok"], lines);

        var claim = await _fx.Client.Resource(KubeResources.PersistentVolumeClaims).GetAsync(ns, "data");
        var pv = await _fx.Client.Resource(KubeResources.PersistentVolumes).GetAsync(null, claim.Spec!.VolumeName!);
        Assert.Equal("hello\n", await File.ReadAllTextAsync(Path.Combine(pv.Spec!.HostPath!.Path, "f")));
    }

    [Fact]
    public async Task WritableRootGivesPrivateHomeAndTmpThatNeverReachTheHost()
    {
        var ns = await _fx.NewNamespaceAsync("rw");
        await _fx.Client.Resource(KubeResources.Pods).CreateAsync(ClusterFixture.ShellPod(ns, "rw", "echo x > $HOME/.config && echo x > /tmp/y && echo x > /var/tmp/z && echo ok"));
        await _fx.WaitForPhaseAsync(ns, "rw", "Succeeded");
        Assert.Equal("ok\n", await _fx.LogsAsync(ns, "rw"));
        Assert.False(File.Exists("/root/.config") && (await File.ReadAllTextAsync("/root/.config")) == "x\n");
    }

    [Fact]
    public async Task NonRootPodCannotWriteAVolumeWithoutFsGroup()
    {
        var ns = await _fx.NewNamespaceAsync("nofs");
        await _fx.Client.Resource(KubeResources.PersistentVolumeClaims).CreateAsync(Claim(ns, "data", "standard"));
        var pod = ClusterFixture.ShellPod(ns, "nofs", "touch /data/f");
        pod = pod with
        {
            Spec = pod.Spec! with
            {
                SecurityContext = new PodSecurityContext { RunAsUser = 65534 },
                Volumes = [new Volume { Name = "data", PersistentVolumeClaim = new PersistentVolumeClaimVolumeSource { ClaimName = "data" } }],
                Containers = [pod.Spec.Containers[0] with { VolumeMounts = [new VolumeMount { Name = "data", MountPath = "/data" }] }],
            },
        };
        await _fx.Client.Resource(KubeResources.Pods).CreateAsync(pod);
        await _fx.WaitForPhaseAsync(ns, "nofs", "Failed");
        Assert.Contains("Permission denied", await _fx.LogsAsync(ns, "nofs"), StringComparison.Ordinal);
    }

    internal static PersistentVolumeClaim Claim(string ns, string name, string storageClass, string size = "1Gi", TypedLocalObjectReference? source = null) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = ns },
        Spec = new PersistentVolumeClaimSpec
        {
            AccessModes = ["ReadWriteOnce"],
            StorageClassName = storageClass,
            Resources = new ResourceRequirements { Requests = new Dictionary<string, string> { ["storage"] = size } },
            DataSource = source,
        },
    };
}
