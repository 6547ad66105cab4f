using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;

namespace DataMover.Operator.Tests.Cluster;

/// <summary>
/// The default classes of EKS (gp2/gp3), GKE (standard-rwo) and AKS (managed-csi) bind on first consumer: a clone of
/// such a class binds only once a pod using it is scheduled, so the mover pod must come before the clone is Bound.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class FirstConsumerBindingTests(ClusterFixture fixture) : ClusterTestBase(fixture)
{
    [Fact]
    public async Task ABackupOnAWaitForFirstConsumerClassCompletesAndCleansUp()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await Pvcs.CreateAsync(new PersistentVolumeClaim
        {
            Metadata = new ObjectMeta { Name = "app-data", Namespace = ns },
            Spec = new PersistentVolumeClaimSpec
            {
                StorageClassName = "wffc",
                AccessModes = ["ReadWriteOnce"],
                Resources = new ResourceRequirements { Requests = new Dictionary<string, string> { ["storage"] = "1Gi" } },
            },
        });

        // The application is the source's first consumer.
        await Client.Resource(KubeResources.Pods).CreateAsync(new Pod
        {
            Metadata = new ObjectMeta { Name = "app", Namespace = ns },
            Spec = new PodSpec
            {
                RestartPolicy = "Never",
                Containers = [new Container { Name = "app", Image = "sandbox/noop-succeed", VolumeMounts = [new VolumeMount { Name = "data", MountPath = "/data" }] }],
                Volumes = [new Volume { Name = "data", PersistentVolumeClaim = new PersistentVolumeClaimVolumeSource { ClaimName = "app-data" } }],
            },
        });
        await EventuallyAsync(async () => (await Pvcs.GetAsync(ns, "app-data")).Status?.Phase == "Bound", "source bound by its first consumer");
        await SecretAsync(ns, "storage-credentials");

        await CreateAsync(ns, "wffc-backup", new DataMoverSpec { SourcePvc = "app-data", SecretName = "storage-credentials", DeletePvcAfterBackup = true });
        var dm = await PhaseAsync(ns, "wffc-backup", DataMoverPhase.Completed);
        Assert.Equal("s3://bucket-storage-credentials/", dm.Status!.Destination);
        Assert.Null(await Pvcs.TryGetAsync(ns, dm.Status.RestoredPvcName!));
        var events = (await Client.Resource(KubeResources.Events).ListAsync(ns)).Items;
        Assert.Contains(events, e => e.InvolvedObject?.Name == "wffc-backup" && e.Reason == "JobCreated" && e.Message!.Contains(dm.Status.RestoredPvcName!, StringComparison.Ordinal));
        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(new Uri(Fixture.Operator.MetricsUrl!, "/metrics"));
        Assert.Contains($"datamover_operations_total{{phase=\"ClonedPVCReady\",status=\"success\",namespace=\"{ns}\"}} 1", metrics, StringComparison.Ordinal);
    }
}
