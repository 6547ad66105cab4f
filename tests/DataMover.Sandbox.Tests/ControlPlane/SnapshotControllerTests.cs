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
            await ClusterFixture.EventuallyAsync(async () => (await Snapshots.GetAsync(ns, "s1")).Metadata.Finalizers?.Contains(BoundProtection) == true, what: "bound-protection finalizer");

            await Snapshots.DeleteAsync(ns, "s1");
            await ClusterFixture.EventuallyAsync(async () => await Snapshots.TryGetAsync(ns, "s1") is null, what: "snapshot deleted");
            Assert.NotNull(await Contents.TryGetAsync(null, contentName));
            await Contents.DeleteAsync(null, contentName);
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

    private static GenericObject Class(string name, string deletionPolicy) => new JsonObject
    {
        ["apiVersion"] = "snapshot.storage.k8s.io/v1",
        ["kind"] = "VolumeSnapshotClass",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["driver"] = SandboxDrivers.HostPath,
        ["deletionPolicy"] = deletionPolicy,
    }.Deserialize(GenericJsonContext.Default.GenericObject)!;

    private static JsonElement Spec(GenericObject content) => content.Extra!["spec"];
}
