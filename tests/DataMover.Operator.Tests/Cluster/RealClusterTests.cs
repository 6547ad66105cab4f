using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;

namespace DataMover.Operator.Tests.Cluster;

/// <summary>The operator against the sandbox's real provisioner, job controller, kubelet and garbage collector.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RealClusterTests(ClusterFixture fixture) : ClusterTestBase(fixture)
{
    [Fact]
    public async Task TheSpecsSamplesReachCompleted()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SourceAsync(ns, "web-app-data");
        await SourceAsync(ns, "shared-data");
        await SecretAsync(ns, "storage-credentials");
        await SecretAsync(ns, "dev-storage");
        await SecretAsync(ns, "prod-storage");
        await ApplySampleAsync(ns, "backup-web-data.yaml");
        await ApplySampleAsync(ns, "multiple-clones.yaml");

        const string crossNs = "backup-namespace";
        await Fixture.EnsureNamespaceAsync(crossNs);
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
        var ns = await Fixture.NewNamespaceAsync();
        await SourceAsync(ns, "web-app-data");
        await SecretAsync(ns, "storage-credentials");
        await CreateAsync(ns, "cleanup", new DataMoverSpec { SourcePvc = "web-app-data", SecretName = "storage-credentials", AddTimestampPrefix = true, DeletePvcAfterBackup = true });
        var dm = await PhaseAsync(ns, "cleanup", DataMoverPhase.Completed);
        Assert.Matches(@"^s3://bucket-storage-credentials/\d{4}-\d{2}-\d{2}-\d{6}/$", dm.Status!.Destination);

        // Completed means the clone's storage is released: the finished mover pod no longer holds it (pvc-protection).
        Assert.Null(await Pvcs.TryGetAsync(ns, dm.Status.RestoredPvcName!));
        Assert.Null(await Jobs.TryGetAsync(ns, dm.Status.JobName!));
    }

    [Fact]
    public async Task MissingSecretIsReportedThenRecovers()
    {
        var ns = await Fixture.NewNamespaceAsync();
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
        var ns = await Fixture.NewNamespaceAsync();
        await SourceAsync(ns, "web-app-data");
        // Exit 1 is the mover's "may be transient": retried up to the Job's backoffLimit.
        await SecretAsync(ns, "storage-credentials", new Dictionary<string, string> { ["MOVER_TEST_FAIL"] = "endpoint https://s3.local unreachable (connection refused)", ["MOVER_TEST_EXIT"] = "1" });
        await CreateAsync(ns, "broken", new DataMoverSpec { SourcePvc = "web-app-data", SecretName = "storage-credentials" });
        var dm = await PhaseAsync(ns, "broken", DataMoverPhase.Failed);
        Assert.Contains("unreachable (connection refused)", Conditions.Find(dm.Status!.Conditions, ConditionTypes.Failed)!.Message, StringComparison.Ordinal);
        Assert.Equal(3, dm.Status.Attempts);
        Assert.NotNull(await Pvcs.TryGetAsync(ns, dm.Status.RestoredPvcName!));
    }

    [Fact]
    public async Task AClassThatCannotCloneShowsTheProvisionersWarning()
    {
        var ns = await Fixture.NewNamespaceAsync();
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
        var ns = await Fixture.NewNamespaceAsync();
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
        var (exit, output) = await Fixture.KubectlAsync("apply", "-n", ns, "-f", Sandbox.SandboxFixture.RepoFile("deploy/samples/" + file));
        Assert.True(exit == 0, output);
    }
}
