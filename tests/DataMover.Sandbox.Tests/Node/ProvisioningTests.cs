using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Sandbox.Tests.ControlPlane;

namespace DataMover.Sandbox.Tests.Node;

[Collection(ClusterCollection.Name)]
public sealed class ProvisioningTests
{
    private readonly ClusterFixture _fx;

    public ProvisioningTests(ClusterFixture fx) => _fx = fx;

    private ResourceClient<PersistentVolumeClaim> Claims => _fx.Client.Resource(KubeResources.PersistentVolumeClaims);

    [Fact]
    public async Task CloneCopiesTheSourceVolumeAndDeletingTheClaimRemovesTheVolume()
    {
        var ns = await _fx.NewNamespaceAsync("clone");
        await Claims.CreateAsync(PodIsolationTests.Claim(ns, "src", "standard"));
        var source = await WaitBoundAsync(ns, "src");
        var sourcePv = await _fx.Client.Resource(KubeResources.PersistentVolumes).GetAsync(null, source.Spec!.VolumeName!);
        Assert.Equal("pvc-" + source.Metadata.Uid, sourcePv.Metadata.Name);
        Assert.Equal("hostpath.csi.sandbox.datamover.dev", sourcePv.Metadata.Annotation("pv.kubernetes.io/provisioned-by"));
        Assert.Equal("yes", source.Metadata.Annotation("pv.kubernetes.io/bind-completed"));
        Assert.Equal("hostpath.csi.sandbox.datamover.dev", source.Metadata.Annotation("volume.kubernetes.io/storage-provisioner"));
        Assert.Equal("1Gi", source.Status!.Capacity!["storage"]);
        var srcDir = sourcePv.Spec!.HostPath!.Path;
        Directory.CreateDirectory(Path.Combine(srcDir, "sub"));
        await File.WriteAllTextAsync(Path.Combine(srcDir, "a.txt"), "alpha");
        await File.WriteAllTextAsync(Path.Combine(srcDir, "sub", "b.txt"), "beta");

        await Claims.CreateAsync(PodIsolationTests.Claim(ns, "copy", "standard", source: new TypedLocalObjectReference { Kind = "PersistentVolumeClaim", Name = "src" }));
        var copy = await WaitBoundAsync(ns, "copy");
        var copyPv = await _fx.Client.Resource(KubeResources.PersistentVolumes).GetAsync(null, copy.Spec!.VolumeName!);
        var copyDir = copyPv.Spec!.HostPath!.Path;
        Assert.NotEqual(srcDir, copyDir);
        Assert.Equal("alpha", await File.ReadAllTextAsync(Path.Combine(copyDir, "a.txt")));
        Assert.Equal("beta", await File.ReadAllTextAsync(Path.Combine(copyDir, "sub", "b.txt")));
        var events = await _fx.EventsForAsync(ns, "copy");
        Assert.Contains(events, e => e.Reason == "ProvisioningSucceeded" && e.Message == $"Successfully provisioned volume pvc-{copy.Metadata.Uid}");
        Assert.Equal("Delete", copyPv.Spec.PersistentVolumeReclaimPolicy);
        Assert.Equal(copy.Metadata.Uid, copyPv.Spec.ClaimRef!.Uid);

        await Claims.DeleteAsync(ns, "copy");
        await ClusterFixture.EventuallyAsync(async () => await _fx.Client.Resource(KubeResources.PersistentVolumes).TryGetAsync(null, copyPv.Metadata.Name!) is null, what: "PV deleted");
        Assert.False(Directory.Exists(copyDir));
    }

    [Fact]
    public async Task NoCloneClassLeavesTheCloneClaimPendingWithProvisioningFailed()
    {
        var ns = await _fx.NewNamespaceAsync("noclone");
        await Claims.CreateAsync(PodIsolationTests.Claim(ns, "src", "no-clone"));
        await WaitBoundAsync(ns, "src");
        await Claims.CreateAsync(PodIsolationTests.Claim(ns, "copy", "no-clone", source: new TypedLocalObjectReference { Kind = "PersistentVolumeClaim", Name = "src" }));
        var failed = await ClusterFixture.EventuallyAsync(async () =>
            (await _fx.EventsForAsync(ns, "copy")).FirstOrDefault(e => e.Reason == "ProvisioningFailed"), what: "ProvisioningFailed event");
        Assert.Equal("Warning", failed.Type);
        Assert.Equal("failed to provision volume with StorageClass \"no-clone\": CSI driver does not support clone operations: controller CLONE_VOLUME capability is not reported", failed.Message);
        Assert.Equal("Pending", (await Claims.GetAsync(ns, "copy")).Status?.Phase);
    }

    [Fact]
    public async Task CloneSmallerThanItsSourceIsRefused()
    {
        var ns = await _fx.NewNamespaceAsync("clonesize");
        await Claims.CreateAsync(PodIsolationTests.Claim(ns, "src", "standard", "2Gi"));
        await WaitBoundAsync(ns, "src");
        await Claims.CreateAsync(PodIsolationTests.Claim(ns, "copy", "standard", "1Gi", new TypedLocalObjectReference { Kind = "PersistentVolumeClaim", Name = "src" }));
        var failed = await ClusterFixture.EventuallyAsync(async () =>
            (await _fx.EventsForAsync(ns, "copy")).FirstOrDefault(e => e.Reason == "ProvisioningFailed"), what: "ProvisioningFailed event");
        Assert.Contains("new PVC request must be greater than or equal in size to the specified PVC data source, requested 1073741824 but source is 2147483648", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlowClassBindsOnlyAfterItsDelay()
    {
        var ns = await _fx.NewNamespaceAsync("slow");
        var started = DateTimeOffset.UtcNow;
        await Claims.CreateAsync(PodIsolationTests.Claim(ns, "late", "slow"));
        await Task.Delay(1000);
        Assert.Equal("Pending", (await Claims.GetAsync(ns, "late")).Status?.Phase);
        await WaitBoundAsync(ns, "late");
        Assert.True(DateTimeOffset.UtcNow - started >= TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task WaitForFirstConsumerProvisionsOnceAPodIsScheduled()
    {
        var ns = await _fx.NewNamespaceAsync("wffc");
        var className = "wffc-" + ns;
        await _fx.Client.Resource(KubeResources.StorageClasses).CreateAsync(new StorageClass
        {
            Metadata = new ObjectMeta { Name = className },
            Provisioner = "hostpath.csi.sandbox.datamover.dev",
            VolumeBindingMode = "WaitForFirstConsumer",
            ReclaimPolicy = "Delete",
        });
        await Claims.CreateAsync(PodIsolationTests.Claim(ns, "later", className));
        await ClusterFixture.EventuallyAsync(async () =>
            (await _fx.EventsForAsync(ns, "later")).FirstOrDefault(e => e.Reason == "WaitForFirstConsumer"), what: "WaitForFirstConsumer event");
        var pending = await Claims.GetAsync(ns, "later");
        Assert.Equal("Pending", pending.Status?.Phase);
        Assert.Null(pending.Metadata.Annotation("volume.kubernetes.io/storage-provisioner"));

        var pod = ClusterFixture.ShellPod(ns, "consumer", "echo hi > /data/x");
        pod = pod with
        {
            Spec = pod.Spec! with
            {
                Volumes = [new Volume { Name = "data", PersistentVolumeClaim = new PersistentVolumeClaimVolumeSource { ClaimName = "later" } }],
                Containers = [pod.Spec.Containers[0] with { VolumeMounts = [new VolumeMount { Name = "data", MountPath = "/data" }] }],
            },
        };
        await _fx.Client.Resource(KubeResources.Pods).CreateAsync(pod);
        await _fx.WaitForPhaseAsync(ns, "consumer", "Succeeded");
        var bound = await Claims.GetAsync(ns, "later");
        Assert.Equal("Bound", bound.Status?.Phase);
        Assert.Equal("sandbox-node", bound.Metadata.Annotation("volume.kubernetes.io/selected-node"));
    }

    [Fact]
    public async Task WaitForFirstConsumerCloneBindsOnlyOnceAPodUsingItIsScheduledAndOnThatNode()
    {
        var ns = await _fx.NewNamespaceAsync("wffcclone");
        await Claims.CreateAsync(PodIsolationTests.Claim(ns, "src", "standard"));
        var source = await WaitBoundAsync(ns, "src");
        var srcDir = (await _fx.Client.Resource(KubeResources.PersistentVolumes).GetAsync(null, source.Spec!.VolumeName!)).Spec!.HostPath!.Path;
        await File.WriteAllTextAsync(Path.Combine(srcDir, "f"), "cloned");

        await Claims.CreateAsync(PodIsolationTests.Claim(ns, "copy", "wffc", source: new TypedLocalObjectReference { Kind = "PersistentVolumeClaim", Name = "src" }));
        var waiting = await ClusterFixture.EventuallyAsync(async () =>
            (await _fx.EventsForAsync(ns, "copy")).FirstOrDefault(e => e.Reason == "WaitForFirstConsumer"), what: "WaitForFirstConsumer event");
        Assert.Equal("waiting for first consumer to be created before binding", waiting.Message);
        var pending = await Claims.GetAsync(ns, "copy");
        Assert.Equal("Pending", pending.Status?.Phase);
        Assert.Null(pending.Metadata.Annotation("volume.kubernetes.io/selected-node"));
        Assert.DoesNotContain(await _fx.EventsForAsync(ns, "copy"), e => e.Reason == "Provisioning");

        await _fx.Client.Resource(KubeResources.Pods).CreateAsync(UsingClaim(ClusterFixture.ShellPod(ns, "reader", "cat /data/f"), "copy"));
        var reader = await _fx.WaitForPhaseAsync(ns, "reader", "Succeeded");
        Assert.Equal("cloned", await _fx.LogsAsync(ns, "reader"));
        var bound = await Claims.GetAsync(ns, "copy");
        Assert.Equal("Bound", bound.Status?.Phase);
        Assert.Equal(reader.Spec!.NodeName, bound.Metadata.Annotation("volume.kubernetes.io/selected-node"));
        var pv = await _fx.Client.Resource(KubeResources.PersistentVolumes).GetAsync(null, bound.Spec!.VolumeName!);
        Assert.Contains($"\"values\":[\"{reader.Spec.NodeName}\"]", pv.Spec!.Extra!["nodeAffinity"].GetRawText(), StringComparison.Ordinal);
        var provisioning = (await _fx.EventsForAsync(ns, "copy")).Single(e => e.Reason == "Provisioning");
        Assert.Equal($"hostpath.csi.sandbox.datamover.dev_{reader.Spec.NodeName}", provisioning.Source?.Component);
    }

    [Fact]
    public async Task WaitForFirstConsumerClaimWithoutAPodStaysPendingAndNamesAPendingPod()
    {
        var ns = await _fx.NewNamespaceAsync("wffcidle");
        await Claims.CreateAsync(PodIsolationTests.Claim(ns, "idle", "wffc"));
        var waiting = await ClusterFixture.EventuallyAsync(async () =>
            (await _fx.EventsForAsync(ns, "idle")).FirstOrDefault(e => e.Reason == "WaitForFirstConsumer"), what: "WaitForFirstConsumer event");
        Assert.Equal("Normal", waiting.Type);
        Assert.Equal("persistentvolume-controller", waiting.Source?.Component);
        var idle = await Claims.GetAsync(ns, "idle");
        Assert.Equal("Pending", idle.Status?.Phase);
        Assert.True(string.IsNullOrEmpty(idle.Spec?.VolumeName));
        Assert.Null(idle.Metadata.Annotation("volume.kubernetes.io/storage-provisioner"));

        // A pod the scheduler cannot place (no node matches) leaves the claim waiting on that pod, by name.
        var stuck = UsingClaim(ClusterFixture.ShellPod(ns, "stuck", "true"), "idle");
        await _fx.Client.Resource(KubeResources.Pods).CreateAsync(stuck with { Spec = stuck.Spec! with { NodeSelector = new Dictionary<string, string> { ["kubernetes.io/hostname"] = "nowhere" } } });
        var named = await ClusterFixture.EventuallyAsync(async () =>
            (await _fx.EventsForAsync(ns, "idle")).FirstOrDefault(e => e.Reason == "WaitForPodScheduled"), what: "WaitForPodScheduled event");
        Assert.Equal("waiting for pod stuck to be scheduled", named.Message);
        Assert.Equal("Pending", (await Claims.GetAsync(ns, "idle")).Status?.Phase);
        await _fx.Client.Resource(KubeResources.Pods).DeleteAsync(ns, "stuck");
    }

    [Fact]
    public async Task SnapshotRestoreCopiesTheSnapshottedContent()
    {
        var ns = await _fx.NewNamespaceAsync("snap");
        await Claims.CreateAsync(PodIsolationTests.Claim(ns, "src", "standard"));
        var source = await WaitBoundAsync(ns, "src");
        var dir = (await _fx.Client.Resource(KubeResources.PersistentVolumes).GetAsync(null, source.Spec!.VolumeName!)).Spec!.HostPath!.Path;
        await File.WriteAllTextAsync(Path.Combine(dir, "f"), "before");
        var snapshots = _fx.Client.Resource(KubeResources.VolumeSnapshots);
        await snapshots.CreateAsync(new VolumeSnapshot
        {
            Metadata = new ObjectMeta { Name = "s1", Namespace = ns },
            Spec = new VolumeSnapshotSpec { Source = new VolumeSnapshotSource { PersistentVolumeClaimName = "src" }, VolumeSnapshotClassName = "csi-hostpath-snapclass" },
        });
        var ready = await ClusterFixture.EventuallyAsync(async () =>
        {
            var s = await snapshots.TryGetAsync(ns, "s1");
            return s?.Status?.ReadyToUse == true ? s : null;
        }, what: "snapshot ready");
        Assert.Equal("1Gi", ready.Status!.RestoreSize);
        await File.WriteAllTextAsync(Path.Combine(dir, "f"), "after");

        await Claims.CreateAsync(PodIsolationTests.Claim(ns, "restored", "standard", source: new TypedLocalObjectReference { ApiGroup = "snapshot.storage.k8s.io", Kind = "VolumeSnapshot", Name = "s1" }));
        var restored = await WaitBoundAsync(ns, "restored");
        var restoredDir = (await _fx.Client.Resource(KubeResources.PersistentVolumes).GetAsync(null, restored.Spec!.VolumeName!)).Spec!.HostPath!.Path;
        Assert.Equal("before", await File.ReadAllTextAsync(Path.Combine(restoredDir, "f")));
    }

    private static Pod UsingClaim(Pod pod, string claim) => pod with
    {
        Spec = pod.Spec! with
        {
            Volumes = [new Volume { Name = "data", PersistentVolumeClaim = new PersistentVolumeClaimVolumeSource { ClaimName = claim } }],
            Containers = [pod.Spec.Containers[0] with { VolumeMounts = [new VolumeMount { Name = "data", MountPath = "/data" }] }],
        },
    };

    private Task<PersistentVolumeClaim> WaitBoundAsync(string ns, string name) =>
        ClusterFixture.EventuallyAsync(async () =>
        {
            var c = await Claims.TryGetAsync(ns, name);
            return c?.Status?.Phase == "Bound" ? c : null;
        }, TimeSpan.FromSeconds(20), $"claim {name} bound");
}
