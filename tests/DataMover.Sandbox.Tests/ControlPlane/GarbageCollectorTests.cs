using System.Text.Json;
using System.Text.Json.Nodes;
using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Sandbox.ControlPlane;

namespace DataMover.Sandbox.Tests.ControlPlane;

[Collection(ClusterCollection.Name)]
public sealed class GarbageCollectorTests
{
    private readonly ClusterFixture _fx;

    public GarbageCollectorTests(ClusterFixture fx) => _fx = fx;

    private ResourceClient<ConfigMap> ConfigMaps => _fx.Client.Resource(KubeResources.ConfigMaps);

    [Fact]
    public async Task BackgroundDeletionRemovesDependentsOfAGoneOwner()
    {
        var ns = await _fx.NewNamespaceAsync("gc-bg");
        var owner = await ConfigMaps.CreateAsync(Cm(ns, "owner"));
        await ConfigMaps.CreateAsync(Cm(ns, "child", Ref(owner, block: false)));
        await ConfigMaps.DeleteAsync(ns, "owner", DeleteOptions.Background);
        await ClusterFixture.EventuallyAsync(async () => await ConfigMaps.TryGetAsync(ns, "child") is null, what: "child deleted");
    }

    [Fact]
    public async Task ForegroundDeletionWaitsForBlockingDependents()
    {
        var ns = await _fx.NewNamespaceAsync("gc-fg");
        var owner = await ConfigMaps.CreateAsync(Cm(ns, "owner"));
        var child = Cm(ns, "child", Ref(owner, block: true));
        await ConfigMaps.CreateAsync(child with { Metadata = child.Metadata with { Finalizers = ["test.datamover.dev/hold"] } });
        await ConfigMaps.DeleteAsync(ns, "owner", DeleteOptions.Foreground);

        // The dependent is being deleted but held by its finalizer: the owner must wait, foregroundDeletion in place.
        var held = await ClusterFixture.EventuallyAsync(async () =>
        {
            var c = await ConfigMaps.TryGetAsync(ns, "child");
            return c?.Metadata.DeletionTimestamp is not null ? c : null;
        }, what: "child marked for deletion");
        await Task.Delay(500);
        var waiting = await ConfigMaps.GetAsync(ns, "owner");
        Assert.NotNull(waiting.Metadata.DeletionTimestamp);
        Assert.Contains("foregroundDeletion", waiting.Metadata.Finalizers ?? []);

        await ConfigMaps.PatchAsync(ns, "child", KubePatch.Merge("""{"metadata":{"finalizers":null}}"""));
        await ClusterFixture.EventuallyAsync(async () => await ConfigMaps.TryGetAsync(ns, "owner") is null, what: "owner deleted");
        Assert.Null(await ConfigMaps.TryGetAsync(ns, "child"));
        Assert.NotNull(held);
    }

    [Fact]
    public async Task OrphanDeletionKeepsDependentsWithoutTheOwnerReference()
    {
        var ns = await _fx.NewNamespaceAsync("gc-or");
        var owner = await ConfigMaps.CreateAsync(Cm(ns, "owner"));
        var other = await ConfigMaps.CreateAsync(Cm(ns, "other"));
        await ConfigMaps.CreateAsync(Cm(ns, "child", Ref(owner, block: true), Ref(other, block: false)));
        await ConfigMaps.DeleteAsync(ns, "owner", DeleteOptions.Orphan);
        await ClusterFixture.EventuallyAsync(async () => await ConfigMaps.TryGetAsync(ns, "owner") is null, what: "owner deleted");
        var child = await ConfigMaps.GetAsync(ns, "child");
        Assert.Equal([other.Metadata.Uid], child.Metadata.OwnerReferences!.Select(o => o.Uid));
    }

    [Fact]
    public async Task CustomResourceOwnersAreCollectedToo()
    {
        var ns = await _fx.NewNamespaceAsync("gc-cr");
        var classes = _fx.Client.Resource(new ResourceType<GenericObject>("snapshot.storage.k8s.io", "v1", "volumesnapshotclasses", "VolumeSnapshotClass", false, GenericJsonContext.Default.GenericObject, GenericJsonContext.Default.KubeListGenericObject));
        var body = new JsonObject
        {
            ["apiVersion"] = "snapshot.storage.k8s.io/v1",
            ["kind"] = "VolumeSnapshotClass",
            ["metadata"] = new JsonObject { ["name"] = ns },
            ["driver"] = "example.dev",
            ["deletionPolicy"] = "Delete",
        };
        var owner = await classes.CreateAsync(body.Deserialize(GenericJsonContext.Default.GenericObject)!);
        await ConfigMaps.CreateAsync(Cm(ns, "child", new OwnerReference { ApiVersion = "snapshot.storage.k8s.io/v1", Kind = "VolumeSnapshotClass", Name = ns, Uid = owner.Metadata.Uid! }));
        await Task.Delay(300);
        Assert.NotNull(await ConfigMaps.TryGetAsync(ns, "child"));
        await classes.DeleteAsync(null, ns);
        await ClusterFixture.EventuallyAsync(async () => await ConfigMaps.TryGetAsync(ns, "child") is null, what: "child of custom resource deleted");
    }

    [Fact]
    public async Task DeletedNamespaceIsEmptiedAndFinalized()
    {
        var ns = await _fx.NewNamespaceAsync("ns-del");
        await ConfigMaps.CreateAsync(Cm(ns, "a"));
        await _fx.Client.Resource(KubeResources.Pods).CreateAsync(ClusterFixture.ShellPod(ns, "sleeper", "sleep 60"));
        await _fx.WaitForPhaseAsync(ns, "sleeper", "Running");
        await _fx.Client.Resource(KubeResources.Namespaces).DeleteAsync(null, ns);
        var terminating = await _fx.Client.Resource(KubeResources.Namespaces).TryGetAsync(null, ns);
        Assert.Equal("Terminating", terminating?.Status?.Phase);
        await ClusterFixture.EventuallyAsync(async () => await _fx.Client.Resource(KubeResources.Namespaces).TryGetAsync(null, ns) is null, TimeSpan.FromSeconds(45), "namespace gone");
    }

    private static OwnerReference Ref(ConfigMap owner, bool block) => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Name = owner.Metadata.Name!,
        Uid = owner.Metadata.Uid!,
        BlockOwnerDeletion = block,
    };

    private static ConfigMap Cm(string ns, string name, params OwnerReference[] owners) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = ns, OwnerReferences = owners.Length == 0 ? null : owners },
        Data = new Dictionary<string, string> { ["k"] = "v" },
    };
}
