using DataMover.Operator.Restore;
using DataMover.Operator.Tests.Cluster;

namespace DataMover.Operator.Tests.Restore;

/// <summary>
/// A new PVC without size, restored from secretName + path: an inspect Job sizes it from the backup's manifest. The
/// fixture's mover script, in inspect mode, reports sourceCapacity 2Gi and resolves "latest" to 2026-11-30-085704;
/// for a restore whose name contains "inspect-fail" it fails as a mover finding no complete backup does.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RestoreInspectionClusterTests(ClusterFixture fixture) : RestoreTestBase(fixture)
{
    [Fact]
    public async Task NewPvcWithoutSizeGetsTheManifestsCapacityAndTheResolvedFolderIsKept()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SecretAsync(ns, "storage-credentials");
        await CreateRestoreAsync(ns, "sized", FromPath("team-a/latest", NewPvc("sized-data", size: null)));

        var restore = await RestorePhaseAsync(ns, "sized", RestorePhase.Completed);
        var status = restore.Status!;
        Assert.Equal("sized-inspect", status.InspectJobName);
        Assert.Equal(("team-a", "2026-11-30-085704", "2026-11-30-085704"), (status.Path, status.RequestedFolder, status.Folder));
        Assert.Equal("2Gi", status.AcceptedSpec!.Target!.Pvc!.Size);
        Assert.Equal("team-a/latest", status.Source);

        var pvc = await Pvcs.GetAsync(ns, "sized-data");
        Assert.Equal("2Gi", pvc.Spec!.Resources!.Requests!["storage"]);

        // The restore was told the folder the inspection found, not "latest": a newer backup cannot slip in between.
        var job = await Jobs.GetAsync(ns, "sized-restore");
        Assert.Equal(("restore", "team-a", "2026-11-30-085704"), (Env(job, "MOVER_MODE"), Env(job, "DATAMOVER_PATH"), Env(job, "DATAMOVER_RESTORE_FOLDER")));

        // The inspect Job is gone once its result is recorded; only the restore Job stays.
        await EventuallyAsync(async () => await Jobs.TryGetAsync(ns, "sized-inspect") is null, "inspect Job deleted");
        Assert.Equal(["sized-restore"], (await RestoreJobsAsync(ns, restore)).Select(j => j.Metadata.Name));

        var table = await Support.Kubectl.RunAsync(Fixture.Cluster.KubeconfigPath, "get", "dmr", "sized", "-n", ns);
        Assert.Equal("2026-11-30-085704", Support.Kubectl.Cell(table, "FOLDER"));
    }

    [Fact]
    public async Task AFailedInspectionFailsTheRestoreQuotingTheMoverAndCreatesNoPvc()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SecretAsync(ns, "storage-credentials");
        await CreateRestoreAsync(ns, "inspect-fail", FromPath("team-a/latest", NewPvc(size: null)));

        var restore = await RestorePhaseAsync(ns, "inspect-fail", RestorePhase.Failed);
        Assert.Equal("InspectionFailed", FailedReason(restore));
        Assert.Contains("no complete backup under s3://bucket/team-a/", FailedMessage(restore), StringComparison.Ordinal);
        Assert.Contains("inspect-fail-inspect", FailedMessage(restore), StringComparison.Ordinal);
        Assert.Null(restore.Status!.JobName);
        Assert.Empty((await Pvcs.ListAsync(ns)).Items);

        // The inspect Job ran the hardened pod in inspect mode without any volume at /data; it stays for its logs.
        var job = Assert.Single(await RestoreJobsAsync(ns, restore));
        Assert.Equal("inspect-fail-inspect", job.Metadata.Name);
        Assert.Equal(RestoreLabels.InspectComponent, job.Metadata.Label("app.kubernetes.io/component"));
        Assert.Equal(("inspect", "team-a", "latest"), (Env(job, "MOVER_MODE"), Env(job, "DATAMOVER_PATH"), Env(job, "DATAMOVER_RESTORE_FOLDER")));
        Assert.Null(Env(job, "DATAMOVER_RESTORE_DELETE"));
        var pod = job.Spec!.Template.Spec!;
        Assert.DoesNotContain(pod.Volumes!, v => v.PersistentVolumeClaim is not null);
        Assert.DoesNotContain(pod.Containers[0].VolumeMounts!, m => m.MountPath == "/data");
        Assert.Contains(pod.Containers[0].VolumeMounts!, m => m.MountPath == "/config");
        Assert.True(pod.Containers[0].SecurityContext!.ReadOnlyRootFilesystem);
        Assert.Equal(["ALL"], pod.Containers[0].SecurityContext!.Capabilities!.Drop!);
        Assert.False(pod.AutomountServiceAccountToken);
    }

    [Fact]
    public async Task AGivenSizeOrAFolderNeedsNoInspection()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SecretAsync(ns, "storage-credentials");
        await CreateRestoreAsync(ns, "given-size", FromPath("team-a/latest", NewPvc(size: "3Gi")));

        var restore = await RestorePhaseAsync(ns, "given-size", RestorePhase.Completed);
        Assert.Null(restore.Status!.InspectJobName);
        Assert.Equal("latest", restore.Status.RequestedFolder);
        Assert.Equal("3Gi", (await Pvcs.GetAsync(ns, "given-size")).Spec!.Resources!.Requests!["storage"]);
        Assert.Equal(["given-size-restore"], (await RestoreJobsAsync(ns, restore)).Select(j => j.Metadata.Name));
    }
}
