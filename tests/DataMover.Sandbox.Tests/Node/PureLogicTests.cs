using DataMover.Kube.Models;
using DataMover.Sandbox.Node;

namespace DataMover.Sandbox.Tests.Node;

public sealed class PureLogicTests
{
    [Theory]
    [InlineData("short-pod", "short-pod")]
    [InlineData("a-name-that-is-exactly-sixty-three-characters-long-0123456789ab", "a-name-that-is-exactly-sixty-three-characters-long-0123456789ab")]
    [InlineData("pod-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx-abcdef", "pod-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    public void HostnameIsThePodNameCutTo63CharactersWithoutTrailingDash(string podName, string hostname) =>
        Assert.Equal(hostname, PodHostname.For(new Pod { Metadata = new ObjectMeta { Name = podName } }));

    [Theory]
    [InlineData("$(A)", "1")]
    [InlineData("x$(A)y$(B)z", "x1y2z")]
    [InlineData("$$(A)", "$(A)")]
    [InlineData("$$$(A)", "$1")]
    [InlineData("$(MISSING)", "$(MISSING)")]
    [InlineData("$(A", "$(A")]
    [InlineData("a$b", "a$b")]
    [InlineData("$()", "$()")]
    [InlineData("end$", "end$")]
    public void ExpansionFollowsKubernetesRules(string input, string expected) =>
        Assert.Equal(expected, EnvExpansion.Expand(input, n => n switch { "A" => "1", "B" => "2", _ => null }));

    [Fact]
    public void MissingRequiredSecretIsAConfigError()
    {
        var resolver = new EnvResolver(new EmptyConfig());
        var pod = new Pod { Metadata = new ObjectMeta { Name = "p", Namespace = "ns" }, Spec = new PodSpec() };
        var container = new Container
        {
            Name = "c",
            EnvFrom = [new EnvFromSource { SecretRef = new LocalObjectReference { Name = "s" } }],
        };
        var e = Assert.Throws<EnvResolutionException>(() => resolver.Resolve(pod, container, [], new NodeResources(2, 1024, 110)));
        Assert.Equal("secret \"s\" not found", e.Message);
    }

    [Fact]
    public void LaterDefinitionsReplaceEarlierOnesInPlace()
    {
        var resolver = new EnvResolver(new EmptyConfig());
        var pod = new Pod { Metadata = new ObjectMeta { Name = "p", Namespace = "ns", Uid = "u1", Labels = new Dictionary<string, string> { ["app"] = "x" } }, Spec = new PodSpec { NodeName = "n" } };
        var container = new Container
        {
            Name = "c",
            Env =
            [
                new EnvVar { Name = "PATH", Value = "/bin" },
                new EnvVar { Name = "UID", ValueFrom = new EnvVarSource { FieldRef = new ObjectFieldSelector { FieldPath = "metadata.uid" } } },
                new EnvVar { Name = "APP", ValueFrom = new EnvVarSource { FieldRef = new ObjectFieldSelector { FieldPath = "metadata.labels['app']" } } },
            ],
        };
        var env = resolver.Resolve(pod, container, [new("PATH", "/usr/bin"), new("HOSTNAME", "p")], new NodeResources(2, 1024, 110));
        Assert.Equal(["PATH=/bin", "HOSTNAME=p", "UID=u1", "APP=x"], env.Select(kv => kv.Key + "=" + kv.Value));
    }

    [Fact]
    public void BwrapArgumentsIsolateTheContainer()
    {
        var args = BwrapCommandBuilder.Build(new ContainerLaunch
        {
            Argv = ["/bin/sh", "-c", "true"],
            Env = [new("A", "1")],
            Mounts = [new MountSpec("/tmp/vol", "/mnt/not-on-host/data", false)],
            Uid = 65534,
            Gid = 65534,
            ReadOnlyRootFilesystem = true,
            TerminationLogHostPath = "/tmp/tl",
        });
        var joined = string.Join(' ', args);
        // The environment never appears on a command line, where other local users could read it.
        Assert.DoesNotContain("--setenv", joined, StringComparison.Ordinal);
        Assert.DoesNotContain("--die-with-parent", joined, StringComparison.Ordinal);
        Assert.Contains("--bind /tmp/vol /mnt/not-on-host/data", joined, StringComparison.Ordinal);
        Assert.Contains("--dir /mnt", joined, StringComparison.Ordinal);
        Assert.Contains("--bind /tmp/tl /dev/termination-log", joined, StringComparison.Ordinal);
        Assert.Contains("--remount-ro /", joined, StringComparison.Ordinal);
        Assert.Contains("--unshare-user --uid 65534 --gid 65534", joined, StringComparison.Ordinal);
        Assert.Contains("--ro-bind-try /usr /usr", joined, StringComparison.Ordinal);
        Assert.DoesNotContain("--ro-bind-try /mnt /mnt", joined, StringComparison.Ordinal);
        Assert.EndsWith("-- /bin/sh -c true", joined, StringComparison.Ordinal);
    }

    [Fact]
    public void NonRootUsersReallyRunAsThatHostUser()
    {
        var launch = new ContainerLaunch { Argv = ["id"], Env = [], Uid = 1000, Gid = 2000, Groups = [3000] };
        // Host programs are resolved to absolute paths: the launcher runs with the container's PATH, not the host's.
        Assert.Equal(["/usr/bin/setpriv", "--reuid=1000", "--regid=2000", "--groups=3000", "--", "/usr/bin/bwrap", "--info-fd", "3"], BwrapCommandBuilder.Command(launch).Take(8));
        Assert.Equal(["/usr/bin/bwrap", "--info-fd", "3"], BwrapCommandBuilder.Command(launch with { Uid = 0 }).Take(3));
    }

    [Theory]
    [InlineData("busybox", true)]
    [InlineData("busybox:1.36", true)]
    [InlineData("docker.io/library/busybox:latest", true)]
    [InlineData("ghcr.io/datamover-operator/rclone-mover:v1.2.3", true)]
    [InlineData("ghcr.io/datamover-operator/rclone-mover@sha256:abcd", true)]
    [InlineData("quay.io/unknown/image:1", false)]
    public void ImageTableMatchesRepositoriesAndExactReferences(string image, bool known) =>
        Assert.Equal(known, new ImageTable("/repo").Find(image) is not null);

    [Fact]
    public void MoverImageRunsTheRepositoryEntrypoint() =>
        Assert.Equal(["/repo/mover/entrypoint.sh"], new ImageTable("/repo").Find("ghcr.io/datamover-operator/rclone-mover:dev")!.Entrypoint);

    private sealed class EmptyConfig : IConfigSource
    {
        public Secret? GetSecret(string ns, string name) => null;

        public ConfigMap? GetConfigMap(string ns, string name) => null;
    }
}
