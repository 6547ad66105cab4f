using DataMover.Kube.Client;
using DataMover.Kube.Models;

namespace DataMover.Sandbox.Tests.ControlPlane;

/// <summary>kube-controller-manager's pvc-protection rule: a scheduled pod pins its claims in any phase.</summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class PvcProtectionTests
{
    private const string Finalizer = "kubernetes.io/pvc-protection";
    private readonly ControlPlaneFixture _fx;

    public PvcProtectionTests(ControlPlaneFixture fx) => _fx = fx;

    private ResourceClient<PersistentVolumeClaim> Claims => _fx.Client.Resource(KubeResources.PersistentVolumeClaims);

    private ResourceClient<Pod> Pods => _fx.Client.Resource(KubeResources.Pods);

    [Fact]
    public async Task ClaimUsedBySucceededPodStaysTerminatingUntilThePodIsDeleted()
    {
        var ns = await _fx.NewNamespaceAsync("pvc-prot");
        await Claims.CreateAsync(Claim(ns, "data"));
        await Pods.CreateAsync(PodUsing(ns, "done", "data"));
        await _fx.Kubelet.BindAsync(ns, "done");
        await _fx.Kubelet.FinishAsync(ns, "done", exitCode: 0);

        await Claims.DeleteAsync(ns, "data");
        // A claim nobody uses, deleted afterwards: once it is gone the controller has had its turn at "data" too.
        await Claims.CreateAsync(Claim(ns, "witness"));
        await Claims.DeleteAsync(ns, "witness");
        await ClusterFixture.EventuallyAsync(async () => await Claims.TryGetAsync(ns, "witness") is null, what: "unused claim released");
        await Pods.PatchAsync(ns, "done", KubePatch.Merge("""{"metadata":{"labels":{"touched":"yes"}}}"""));
        await Claims.CreateAsync(Claim(ns, "witness2"));
        await Claims.DeleteAsync(ns, "witness2");
        await ClusterFixture.EventuallyAsync(async () => await Claims.TryGetAsync(ns, "witness2") is null, what: "second unused claim released");

        var held = await Claims.GetAsync(ns, "data");
        Assert.NotNull(held.Metadata.DeletionTimestamp);
        Assert.Contains(Finalizer, held.Metadata.Finalizers ?? []);

        // Deleting the last pod that references the claim re-triggers the check.
        await Pods.DeleteAsync(ns, "done");
        await ClusterFixture.EventuallyAsync(async () => await Claims.TryGetAsync(ns, "data") is null, what: "claim released after the pod is deleted");
    }

    [Fact]
    public async Task UnscheduledPodDoesNotHoldTheClaim()
    {
        var ns = await _fx.NewNamespaceAsync("pvc-unsched");
        await Claims.CreateAsync(Claim(ns, "data"));
        // No node exists in this cluster: the pod stays unscheduled.
        await Pods.CreateAsync(PodUsing(ns, "waiting", "data"));
        await Claims.DeleteAsync(ns, "data");
        await ClusterFixture.EventuallyAsync(async () => await Claims.TryGetAsync(ns, "data") is null, what: "claim released despite an unscheduled pod");
        Assert.NotNull(await Pods.TryGetAsync(ns, "waiting"));
    }

    private static PersistentVolumeClaim Claim(string ns, string name) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = ns },
        Spec = new PersistentVolumeClaimSpec
        {
            AccessModes = ["ReadWriteOnce"],
            Resources = new ResourceRequirements { Requests = new Dictionary<string, string> { ["storage"] = "1Gi" } },
        },
    };

    private static Pod PodUsing(string ns, string name, string claim)
    {
        var pod = ClusterFixture.ShellPod(ns, name, "true");
        return pod with
        {
            Spec = pod.Spec! with
            {
                Volumes = [new Volume { Name = "data", PersistentVolumeClaim = new PersistentVolumeClaimVolumeSource { ClaimName = claim } }],
                Containers = [pod.Spec.Containers[0] with { VolumeMounts = [new VolumeMount { Name = "data", MountPath = "/data" }] }],
            },
        };
    }
}
