using System.Text.Json;
using System.Text.Json.Nodes;
using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Sandbox.ControlPlane;
using DataMover.Sandbox.Node;
using DataMover.Sandbox.Tests.Node;

namespace DataMover.Sandbox.Tests.ControlPlane;

/// <summary>The sandbox snapshot controller against the external-snapshotter's observable behaviour.</summary>
[Collection(ClusterCollection.Name)]
public sealed class SnapshotControllerTests
{
    private const string BoundProtection = "snapshot.storage.kubernetes.io/volumesnapshot-bound-protection";
    private const string AsSourceProtection = "snapshot.storage.kubernetes.io/volumesnapshot-as-source-protection";
    private const string ContentProtection = "snapshot.storage.kubernetes.io/volumesnapshotcontent-bound-protection";
    private const string PvcProtection = "snapshot.storage.kubernetes.io/pvc-as-source-protection";
    private const string BeingDeleted = "snapshot.storage.kubernetes.io/volumesnapshot-being-deleted";

    private readonly ClusterFixture _fx;

    public SnapshotControllerTests(ClusterFixture fx) => _fx = fx;

    private ResourceClient<PersistentVolumeClaim> Claims => _fx.Client.Resource(KubeResources.PersistentVolumeClaims);

    private ResourceClient<VolumeSnapshot> Snapshots => _fx.Client.Resource(KubeResources.VolumeSnapshots);

    private ResourceClient<GenericObject> Contents => _fx.Client.Resource(SnapshotController.VolumeSnapshotContents);

    private ResourceClient<GenericObject> Classes => _fx.Client.Resource(SnapshotController.VolumeSnapshotClasses);

    [Fact]
    public async Task DefaultClassSnapshotIsBoundToItsContentProtectedAndDeletedWithIt()
    {
        var ns = await SourceAsync("snap-bind", "standard");
        await Snapshots.CreateAsync(Snapshot(ns, "s1", className: null));
        var ready = await ReadyAsync(ns, "s1");

        var contentName = "snapcontent-" + ready.Metadata.Uid;
        Assert.Equal(contentName, ready.Status!.BoundVolumeSnapshotContentName);
        Assert.Equal("1Gi", ready.Status.RestoreSize);
        Assert.NotNull(ready.Status.CreationTime);
        var spec = Spec(await Contents.GetAsync(null, contentName));
        Assert.Equal("s1", spec.GetProperty("volumeSnapshotRef").GetProperty("name").GetString());
        Assert.Equal(ready.Metadata.Uid, spec.GetProperty("volumeSnapshotRef").GetProperty("uid").GetString());
        Assert.Equal(SnapshotController.DefaultClassName, spec.GetProperty("volumeSnapshotClassName").GetString());
        Assert.Equal("Delete", spec.GetProperty("deletionPolicy").GetString());
        await ClusterFixture.EventuallyAsync(async () => (await Snapshots.GetAsync(ns, "s1")).Metadata.Finalizers?.Contains(BoundProtection) == true, what: "bound-protection finalizer");

        await Snapshots.DeleteAsync(ns, "s1");
        await ClusterFixture.EventuallyAsync(async () => await Snapshots.TryGetAsync(ns, "s1") is null, what: "snapshot deleted");
        Assert.Null(await Contents.TryGetAsync(null, contentName));
    }

    [Fact]
    public async Task RetainPolicyKeepsTheContentWhenTheSnapshotGoes()
    {
        var ns = await SourceAsync("snap-retain", "standard");
        await Classes.CreateAsync(Class(ns, "Retain"));
        try
        {
            await Snapshots.CreateAsync(Snapshot(ns, "s1", className: ns));
            var ready = await ReadyAsync(ns, "s1");
            var contentName = ready.Status!.BoundVolumeSnapshotContentName!;
            Assert.Equal("Retain", Spec(await Contents.GetAsync(null, contentName)).GetProperty("deletionPolicy").GetString());
            await ClusterFixture.EventuallyAsync(async () => (await Contents.GetAsync(null, contentName)).Metadata.Finalizers?.Contains(ContentProtection) == true, what: "content bound-protection");
            // checkandAddSnapshotFinalizers: bound-protection only for a content that is deleted with the snapshot.
            await ClusterFixture.EventuallyAsync(async () => (await Snapshots.GetAsync(ns, "s1")).Metadata.Finalizers?.Contains(AsSourceProtection) == true, what: "as-source finalizer");
            Assert.DoesNotContain(BoundProtection, (await Snapshots.GetAsync(ns, "s1")).Metadata.Finalizers ?? []);

            await Snapshots.DeleteAsync(ns, "s1");
            await ClusterFixture.EventuallyAsync(async () => await Snapshots.TryGetAsync(ns, "s1") is null, what: "snapshot deleted");
            var retained = await Contents.GetAsync(null, contentName);
            Assert.Null(retained.Metadata.DeletionTimestamp);
            Assert.Equal("yes", retained.Metadata.Annotation(BeingDeleted));
            Assert.Contains(ContentProtection, retained.Metadata.Finalizers ?? []);
            Assert.NotEmpty(DataDirectories(contentName));

            // The retained content can be deleted by hand: the sidecar lets it go and keeps the data (Retain).
            await Contents.DeleteAsync(null, contentName);
            await ClusterFixture.EventuallyAsync(async () => await Contents.TryGetAsync(null, contentName) is null, what: "retained content deleted by hand");
            Assert.NotEmpty(DataDirectories(contentName));
        }
        finally
        {
            await Classes.DeleteAsync(null, ns);
        }
    }

    [Fact]
    public async Task DeletePolicyDeletesTheContentAndItsDataBeforeTheSnapshotGoes()
    {
        var ns = await SourceAsync("snap-delete", "standard");
        await Snapshots.CreateAsync(Snapshot(ns, "s1", className: null));
        var ready = await ReadyAsync(ns, "s1");
        var contentName = ready.Status!.BoundVolumeSnapshotContentName!;
        await ClusterFixture.EventuallyAsync(async () => (await Contents.GetAsync(null, contentName)).Metadata.Finalizers?.Contains(ContentProtection) == true, what: "content bound-protection");
        Assert.NotEmpty(DataDirectories(contentName));

        // A content deleted while its snapshot lives is only marked: the sidecar acts on volumesnapshot-being-deleted.
        await Contents.DeleteAsync(null, contentName);
        var held = await Contents.GetAsync(null, contentName);
        Assert.NotNull(held.Metadata.DeletionTimestamp);
        Assert.Contains(ContentProtection, held.Metadata.Finalizers ?? []);
        Assert.True((await Snapshots.GetAsync(ns, "s1")).Status!.ReadyToUse);

        await Snapshots.DeleteAsync(ns, "s1");
        await ClusterFixture.EventuallyAsync(async () => await Snapshots.TryGetAsync(ns, "s1") is null, what: "snapshot deleted");
        Assert.Null(await Contents.TryGetAsync(null, contentName));
        Assert.Empty(DataDirectories(contentName));
    }

    [Fact]
    public async Task TheSourceClaimIsProtectedWhileItsSnapshotIsNotReady()
    {
        var ns = await SourceAsync("snap-pvc", "standard");
        await Classes.CreateAsync(Class(ns, "Delete", readyAfter: "1h"));
        try
        {
            await Snapshots.CreateAsync(Snapshot(ns, "s1", className: ns));
            var cut = await ClusterFixture.EventuallyAsync(async () =>
            {
                var s = await Snapshots.TryGetAsync(ns, "s1");
                return s?.Status?.BoundVolumeSnapshotContentName is not null ? s : null;
            }, what: "snapshot bound");
            Assert.NotEqual(true, cut.Status!.ReadyToUse);
            Assert.Contains(PvcProtection, (await Claims.GetAsync(ns, "src")).Metadata.Finalizers ?? []);

            // The claim cannot go while it is being snapshotted: deleting it leaves it Terminating.
            await Claims.DeleteAsync(ns, "src");
            Assert.NotNull((await Claims.GetAsync(ns, "src")).Metadata.DeletionTimestamp);

            // Deleting the unready snapshot releases the claim (and the claim then goes).
            await Snapshots.DeleteAsync(ns, "s1");
            await ClusterFixture.EventuallyAsync(async () => await Snapshots.TryGetAsync(ns, "s1") is null, what: "snapshot deleted");
            await ClusterFixture.EventuallyAsync(async () => await Claims.TryGetAsync(ns, "src") is null, what: "source released and deleted");
        }
        finally
        {
            await Classes.DeleteAsync(null, ns);
        }
    }

    [Fact]
    public async Task TheSourceClaimIsReleasedOnceTheSnapshotIsReady()
    {
        var ns = await SourceAsync("snap-pvc-ready", "standard");
        await Classes.CreateAsync(Class(ns, "Delete", readyAfter: "2s"));
        try
        {
            await Snapshots.CreateAsync(Snapshot(ns, "s1", className: ns));
            await ClusterFixture.EventuallyAsync(async () => (await Claims.GetAsync(ns, "src")).Metadata.Finalizers?.Contains(PvcProtection) == true, what: "source protected while the snapshot uploads");
            await ReadyAsync(ns, "s1");
            await ClusterFixture.EventuallyAsync(async () => (await Claims.GetAsync(ns, "src")).Metadata.Finalizers?.Contains(PvcProtection) != true, what: "source released once ready");
            var (code, output) = await KubectlAsync("get", "volumesnapshot", "s1", "-n", ns, "-o", "jsonpath={.status.readyToUse}");
            Assert.True(code == 0, output);
            Assert.Equal("true", output.Trim());
        }
        finally
        {
            await Classes.DeleteAsync(null, ns);
        }
    }

    [Fact]
    public async Task AFailedSnapshotHoldsItsSourceUntilItIsDeleted()
    {
        // A class for the no-clone driver, which takes no snapshots: the content is made, the driver refuses.
        var ns = await SourceAsync("snap-pvc-failed", "no-clone");
        var refusing = Class(ns, "Delete");
        refusing.Extra!["driver"] = JsonSerializer.SerializeToElement(SandboxDrivers.NoClone, NodeJsonContext.Default.String);
        await Classes.CreateAsync(refusing);
        try
        {
            await Snapshots.CreateAsync(Snapshot(ns, "s1", className: ns));
            var failed = await FailedAsync(ns, "s1");
            Assert.Contains("does not support snapshots", failed.Status!.Error!.Message, StringComparison.Ordinal);
            var contentName = failed.Status.BoundVolumeSnapshotContentName!;
            Assert.NotNull(await Contents.TryGetAsync(null, contentName));
            Assert.Contains(PvcProtection, (await Claims.GetAsync(ns, "src")).Metadata.Finalizers ?? []);

            await Snapshots.DeleteAsync(ns, "s1");
            await ClusterFixture.EventuallyAsync(async () => await Snapshots.TryGetAsync(ns, "s1") is null, what: "failed snapshot deleted");
            await ClusterFixture.EventuallyAsync(async () => (await Claims.GetAsync(ns, "src")).Metadata.Finalizers?.Contains(PvcProtection) != true, what: "source released");
            Assert.Null(await Contents.TryGetAsync(null, contentName));
        }
        finally
        {
            await Classes.DeleteAsync(null, ns);
        }
    }

    [Fact]
    public async Task AContentWhoseSnapshotIsGoneIsLeftAlone()
    {
        var ns = await SourceAsync("snap-orphan", "standard");
        await Classes.CreateAsync(Class(ns, "Retain"));
        try
        {
            await Snapshots.CreateAsync(Snapshot(ns, "s1", className: ns));
            var contentName = (await ReadyAsync(ns, "s1")).Status!.BoundVolumeSnapshotContentName!;
            await Snapshots.DeleteAsync(ns, "s1");
            await ClusterFixture.EventuallyAsync(async () => await Snapshots.TryGetAsync(ns, "s1") is null, what: "snapshot deleted");

            // A new snapshot of the same name is another object (uid): the old content stays bound to the old one.
            await Snapshots.CreateAsync(Snapshot(ns, "s1", className: ns));
            var second = await ReadyAsync(ns, "s1");
            Assert.NotEqual(contentName, second.Status!.BoundVolumeSnapshotContentName);
            var orphan = await Contents.GetAsync(null, contentName);
            Assert.Null(orphan.Metadata.DeletionTimestamp);
            Assert.NotEqual(second.Metadata.Uid, Spec(orphan).GetProperty("volumeSnapshotRef").GetProperty("uid").GetString());
            await Snapshots.DeleteAsync(ns, "s1");
            await ClusterFixture.EventuallyAsync(async () => await Snapshots.TryGetAsync(ns, "s1") is null, what: "second snapshot deleted");
            Assert.NotNull(await Contents.TryGetAsync(null, contentName));
            await Contents.DeleteAsync(null, contentName);
            await Contents.DeleteAsync(null, second.Status.BoundVolumeSnapshotContentName!);
        }
        finally
        {
            await Classes.DeleteAsync(null, ns);
        }
    }

    [Fact]
    public async Task MissingClassIsTheSnapshotsErrorAndAWarning()
    {
        var ns = await SourceAsync("snap-noclass", "standard");
        await Snapshots.CreateAsync(Snapshot(ns, "s1", className: "absent-" + ns));
        var failed = await FailedAsync(ns, "s1");
        var expected = $"Failed to get snapshot class with error volumesnapshotclass.snapshot.storage.k8s.io \"absent-{ns}\" not found";
        Assert.Equal(expected, failed.Status!.Error!.Message);
        Assert.NotEqual(true, failed.Status.ReadyToUse);
        var warning = await ClusterFixture.EventuallyAsync(async () =>
            (await _fx.EventsForAsync(ns, "s1")).FirstOrDefault(e => e.Reason == "GetSnapshotClassFailed"), what: "GetSnapshotClassFailed event");
        Assert.Equal("Warning", warning.Type);
        Assert.Equal(expected, warning.Message);
    }

    [Fact]
    public async Task DriverWithoutDefaultClassFailsToSetOne()
    {
        var ns = await SourceAsync("snap-nodefault", "no-clone");
        await Snapshots.CreateAsync(Snapshot(ns, "s1", className: null));
        var failed = await FailedAsync(ns, "s1");
        Assert.Equal("Failed to set default snapshot class with error cannot find default snapshot class", failed.Status!.Error!.Message);
    }

    [Fact]
    public async Task SnapshotStaysWhileAClaimIsProvisionedFromIt()
    {
        var ns = await SourceAsync("snap-assource", "standard");
        await Snapshots.CreateAsync(Snapshot(ns, "s1", className: null));
        await ReadyAsync(ns, "s1");

        // WaitForFirstConsumer without a pod keeps the restore pending, as a slow provisioner would.
        await Claims.CreateAsync(PodIsolationTests.Claim(ns, "restoring", "wffc", source: new TypedLocalObjectReference { ApiGroup = "snapshot.storage.k8s.io", Kind = "VolumeSnapshot", Name = "s1" }));
        await ClusterFixture.EventuallyAsync(async () => (await Snapshots.GetAsync(ns, "s1")).Metadata.Finalizers?.Contains(AsSourceProtection) == true, what: "as-source finalizer");
        await Snapshots.DeleteAsync(ns, "s1");
        var held = await Snapshots.GetAsync(ns, "s1");
        Assert.NotNull(held.Metadata.DeletionTimestamp);
        Assert.Contains(AsSourceProtection, held.Metadata.Finalizers ?? []);

        await Claims.DeleteAsync(ns, "restoring");
        await ClusterFixture.EventuallyAsync(async () => await Snapshots.TryGetAsync(ns, "s1") is null, what: "snapshot deleted once no claim is provisioned from it");
    }

    private async Task<string> SourceAsync(string prefix, string storageClass)
    {
        var ns = await _fx.NewNamespaceAsync(prefix);
        await Claims.CreateAsync(PodIsolationTests.Claim(ns, "src", storageClass));
        await ClusterFixture.EventuallyAsync(async () => (await Claims.TryGetAsync(ns, "src"))?.Status?.Phase == "Bound", what: "source bound");
        return ns;
    }

    private Task<VolumeSnapshot> ReadyAsync(string ns, string name) =>
        ClusterFixture.EventuallyAsync(async () =>
        {
            var s = await Snapshots.TryGetAsync(ns, name);
            return s?.Status?.ReadyToUse == true ? s : null;
        }, what: $"snapshot {name} ready");

    private Task<VolumeSnapshot> FailedAsync(string ns, string name) =>
        ClusterFixture.EventuallyAsync(async () =>
        {
            var s = await Snapshots.TryGetAsync(ns, name);
            return s?.Status?.Error is not null ? s : null;
        }, what: $"snapshot {name} error");

    private static VolumeSnapshot Snapshot(string ns, string name, string? className) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = ns },
        Spec = new VolumeSnapshotSpec { Source = new VolumeSnapshotSource { PersistentVolumeClaimName = "src" }, VolumeSnapshotClassName = className },
    };

    private static GenericObject Class(string name, string deletionPolicy, string? readyAfter = null)
    {
        var snapshotClass = new JsonObject
        {
            ["apiVersion"] = "snapshot.storage.k8s.io/v1",
            ["kind"] = "VolumeSnapshotClass",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["driver"] = SandboxDrivers.HostPath,
            ["deletionPolicy"] = deletionPolicy,
        };
        if (readyAfter is not null)
        {
            snapshotClass["parameters"] = new JsonObject { [SnapshotController.ReadyAfterParameter] = readyAfter };
        }

        return snapshotClass.Deserialize(GenericJsonContext.Default.GenericObject)!;
    }

    private IReadOnlyList<string> DataDirectories(string contentName) =>
        Directory.EnumerateDirectories(_fx.Cluster.DataDir, contentName, SearchOption.AllDirectories).ToList();

    private async Task<(int Code, string Output)> KubectlAsync(params string[] args)
    {
        var kubectl = new Kubectl(_fx.Cluster.KubeconfigPath, Path.Combine(_fx.Cluster.DataDir, "kubectl-snapshots"));
        var result = await kubectl.RunAsync(args);
        return (result.ExitCode, result.Stdout + result.Stderr);
    }

    private static JsonElement Spec(GenericObject content) => content.Extra!["spec"];
}
