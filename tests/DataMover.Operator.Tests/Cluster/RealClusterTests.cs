using System.Text;
using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;
using Dm = DataMover.Operator.Api.DataMover;

namespace DataMover.Operator.Tests.Cluster;

/// <summary>The operator against the sandbox's real provisioner, job controller, kubelet and garbage collector.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RealClusterTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private KubeClient Client => fixture.Client;

    private ResourceClient<Dm> DataMovers => Client.Resource(DataMoverResources.DataMovers);

    private ResourceClient<PersistentVolumeClaim> Pvcs => Client.Resource(KubeResources.PersistentVolumeClaims);

    [Fact]
    public async Task TheSpecsSamplesReachCompleted()
    {
        var ns = await fixture.NewNamespaceAsync();
        await SourceAsync(ns, "web-app-data");
        await SourceAsync(ns, "shared-data");
        await SecretAsync(ns, "storage-credentials");
        await SecretAsync(ns, "dev-storage");
        await SecretAsync(ns, "prod-storage");
        await ApplySampleAsync(ns, "backup-web-data.yaml");
        await ApplySampleAsync(ns, "multiple-clones.yaml");

        const string crossNs = "backup-namespace";
        await fixture.NewNamespaceAsync(crossNs);
        await SourceAsync(crossNs, "app-data");
        await SecretAsync(crossNs, "storage-credentials");
        await ApplySampleAsync(crossNs, "cross-ns-backup.yaml");

        foreach (var (n, name) in new[] { (ns, "backup-web-data"), (ns, "dev-backup"), (ns, "prod-backup"), (crossNs, "cross-ns-backup") })
        {
            var dm = await PhaseAsync(n, name, DataMoverPhase.Completed);
            Assert.Equal("s3://bucket-" + SecretName(name) + "/", dm.Status!.Destination);
            var clone = await Pvcs.GetAsync(n, dm.Status.RestoredPvcName!);
            Assert.Equal("Bound", clone.Status!.Phase);
            Assert.Equal(n, clone.Metadata.Namespace);
        }

        var dev = await DataMovers.GetAsync(ns, "dev-backup");
        var prod = await DataMovers.GetAsync(ns, "prod-backup");
        Assert.NotEqual(dev.Status!.RestoredPvcName, prod.Status!.RestoredPvcName);
    }

    [Fact]
    public async Task CleanupDeletesTheCloneAndTimestampFolderIsUsed()
    {
        var ns = await fixture.NewNamespaceAsync();
        await SourceAsync(ns, "web-app-data");
        await SecretAsync(ns, "storage-credentials");
        await CreateAsync(ns, "cleanup", new DataMoverSpec { SourcePvc = "web-app-data", SecretName = "storage-credentials", AddTimestampPrefix = true, DeletePvcAfterBackup = true });
        var dm = await PhaseAsync(ns, "cleanup", DataMoverPhase.Completed);
        Assert.Matches(@"^s3://bucket-storage-credentials/\d{4}-\d{2}-\d{2}-\d{6}/$", dm.Status!.Destination);
        await EventuallyAsync(async () => await Pvcs.TryGetAsync(ns, dm.Status.RestoredPvcName!) is null, "clone deleted");
    }

    [Fact]
    public async Task MissingSecretIsReportedThenRecovers()
    {
        var ns = await fixture.NewNamespaceAsync();
        await SourceAsync(ns, "web-app-data");
        await CreateAsync(ns, "later", new DataMoverSpec { SourcePvc = "web-app-data", SecretName = "later-creds" });
        var dm = await EventuallyAsync(async () =>
        {
            var d = await DataMovers.GetAsync(ns, "later");
            return Conditions.Find(d.Status?.Conditions, ConditionTypes.Progressing)?.Reason == "MoverPodBlocked" ? d : null;
        }, "MoverPodBlocked");
        Assert.Contains("secret \"later-creds\" not found", Conditions.Find(dm.Status!.Conditions, ConditionTypes.Progressing)!.Message, StringComparison.Ordinal);
        await SecretAsync(ns, "later-creds");
        await PhaseAsync(ns, "later", DataMoverPhase.Completed);
    }

    [Fact]
    public async Task MoverFailureCarriesItsMessageAfterTheRetries()
    {
        var ns = await fixture.NewNamespaceAsync();
        await SourceAsync(ns, "web-app-data");
        await SecretAsync(ns, "storage-credentials");
        await CreateAsync(ns, "broken", new DataMoverSpec
        {
            SourcePvc = "web-app-data",
            SecretName = "storage-credentials",
            AdditionalEnv = [new EnvVar { Name = "MOVER_TEST_FAIL", Value = "bucket nope not found at https://s3.local" }],
        });
        var dm = await PhaseAsync(ns, "broken", DataMoverPhase.Failed);
        Assert.Contains("bucket nope not found", Conditions.Find(dm.Status!.Conditions, ConditionTypes.Failed)!.Message, StringComparison.Ordinal);
        Assert.Equal(3, dm.Status.Attempts);
        Assert.NotNull(await Pvcs.TryGetAsync(ns, dm.Status.RestoredPvcName!));
    }

    [Fact]
    public async Task AClassThatCannotCloneShowsTheProvisionersWarning()
    {
        var ns = await fixture.NewNamespaceAsync();
        await SourceAsync(ns, "web-app-data", "no-clone");
        await SecretAsync(ns, "storage-credentials");
        await CreateAsync(ns, "noclone", new DataMoverSpec { SourcePvc = "web-app-data", SecretName = "storage-credentials" });
        var dm = await EventuallyAsync(async () =>
        {
            var d = await DataMovers.GetAsync(ns, "noclone");
            return Conditions.Find(d.Status?.Conditions, ConditionTypes.Progressing)?.Reason == "CloneNotReady" ? d : null;
        }, "CloneNotReady");
        Assert.Contains("ProvisioningFailed", Conditions.Find(dm.Status!.Conditions, ConditionTypes.Progressing)!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeletingTheDataMoverRemovesTheCloneUnlessOrphaned()
    {
        var ns = await fixture.NewNamespaceAsync();
        await SourceAsync(ns, "web-app-data");
        await SecretAsync(ns, "storage-credentials");
        var spec = new DataMoverSpec { SourcePvc = "web-app-data", SecretName = "storage-credentials" };
        await CreateAsync(ns, "plain", spec);
        await CreateAsync(ns, "orphan", spec);
        var plain = await PhaseAsync(ns, "plain", DataMoverPhase.Completed);
        var orphan = await PhaseAsync(ns, "orphan", DataMoverPhase.Completed);

        await DataMovers.DeleteAsync(ns, "plain", DeleteOptions.Background);
        await DataMovers.DeleteAsync(ns, "orphan", DeleteOptions.Orphan);
        await EventuallyAsync(async () => await Pvcs.TryGetAsync(ns, plain.Status!.RestoredPvcName!) is null, "owned clone garbage-collected");
        await EventuallyAsync(async () => await DataMovers.TryGetAsync(ns, "orphan") is null, "orphaned DataMover gone");
        var kept = await Pvcs.GetAsync(ns, orphan.Status!.RestoredPvcName!);
        Assert.Null(kept.Metadata.DeletionTimestamp);
        Assert.Null(kept.Metadata.OwnerReferences?.FirstOrDefault(o => o.Uid == orphan.Metadata.Uid));
    }

    private static string SecretName(string dataMover) => dataMover switch
    {
        "dev-backup" => "dev-storage",
        "prod-backup" => "prod-storage",
        _ => "storage-credentials",
    };

    private async Task ApplySampleAsync(string ns, string file)
    {
        // With the real kubectl, as users apply them.
        var (exit, output) = await fixture.KubectlAsync("apply", "-n", ns, "-f", Sandbox.SandboxFixture.RepoFile("deploy/samples/" + file));
        Assert.True(exit == 0, output);
    }

    private async Task SourceAsync(string ns, string name, string storageClass = "standard")
    {
        await Pvcs.CreateAsync(new PersistentVolumeClaim
        {
            Metadata = new ObjectMeta { Name = name, Namespace = ns },
            Spec = new PersistentVolumeClaimSpec
            {
                StorageClassName = storageClass,
                AccessModes = ["ReadWriteOnce"],
                Resources = new ResourceRequirements { Requests = new Dictionary<string, string> { ["storage"] = "1Gi" } },
            },
        });
        await EventuallyAsync(async () => (await Pvcs.GetAsync(ns, name)).Status?.Phase == "Bound", $"source {name} bound");
    }

    private async Task SecretAsync(string ns, string name) =>
        await Client.Resource(KubeResources.Secrets).CreateAsync(new Secret
        {
            Metadata = new ObjectMeta { Name = name, Namespace = ns },
            Data = new Dictionary<string, string>
            {
                ["BUCKET_NAME"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("bucket-" + name)),
                ["AWS_ACCESS_KEY_ID"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("key")),
            },
        });

    private async Task CreateAsync(string ns, string name, DataMoverSpec spec) =>
        await DataMovers.CreateAsync(new Dm { Metadata = new ObjectMeta { Name = name, Namespace = ns }, Spec = spec });

    private async Task<Dm> PhaseAsync(string ns, string name, string phase)
    {
        Dm? last = null;
        try
        {
            return await EventuallyAsync(async () =>
            {
                last = await DataMovers.GetAsync(ns, name);
                return last.Status?.Phase == phase ? last : null;
            }, $"{name} {phase}");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + ": " + System.Text.Json.JsonSerializer.Serialize(last?.Status, OperatorJsonContext.Default.DataMoverStatus), e);
        }
    }

    private static Task EventuallyAsync(Func<Task<bool>> probe, string what) => Eventually.TrueAsync(probe, what, Timeout);

    private static Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string what) where T : class => Eventually.ValueAsync(probe, what, Timeout);
}
