using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;
using DataMover.Operator.Metrics;
using DataMover.Operator.Restore;
using DataMover.Operator.Tests.Cluster;

namespace DataMover.Operator.Tests.Restore;

/// <summary>
/// Restores against the full sandbox with the operator in-process. The fixture's mover script, in restore mode,
/// writes a file into /data and reports a protocol result ("latest" resolves to 2026-11-30-085704); a restore whose
/// name contains "slow" takes a few seconds, one whose name contains "plain" ends with a plain-text message.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RestoreClusterTests(ClusterFixture fixture) : RestoreTestBase(fixture)
{
    [Fact]
    public async Task RestoreIntoANewPvcCompletesAndThePvcOutlivesTheRestore()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SecretAsync(ns, "storage-credentials");
        await CreateRestoreAsync(ns, "into-new", FromPath("team-a/2026-11-30-085704", NewPvc("restored-web-data")));

        var (exit, output) = await Fixture.KubectlAsync("wait", "-n", ns, "--for=condition=Complete", "datamoverrestore/into-new", "--timeout=60s");
        Assert.True(exit == 0, output);
        var restore = await Restores.GetAsync(ns, "into-new");
        Assert.Equal(RestorePhase.Completed, restore.Status!.Phase);
        Assert.Equal(("team-a/2026-11-30-085704", "", "restored-web-data", true), (restore.Status.Path, restore.Status.RequestedFolder, restore.Status.TargetPvc, restore.Status.TargetPvcCreated));
        Assert.Equal(1, restore.Status.Files);
        Assert.True(restore.Status.Bytes > 0);

        // The mover ran hardened, read-write on the new PVC, with the protocol's variables.
        var job = Assert.Single(await RestoreJobsAsync(ns, restore));
        Assert.Equal("into-new-restore", job.Metadata.Name);
        Assert.Equal("restore", Env(job, "MOVER_MODE"));
        Assert.Equal("DataMoverRestore", Env(job, "DATAMOVER_KIND"));
        Assert.Equal(restore.Metadata.Uid, Env(job, "DATAMOVER_UID"));
        Assert.Equal("team-a/2026-11-30-085704", Env(job, "DATAMOVER_PATH"));
        Assert.Equal("", Env(job, "DATAMOVER_RESTORE_FOLDER"));
        Assert.Equal("false", Env(job, "DATAMOVER_RESTORE_DELETE"));
        var pod = job.Spec!.Template.Spec!;
        Assert.Equal("restored-web-data", pod.Volumes!.Single(v => v.Name == "data").PersistentVolumeClaim!.ClaimName);
        Assert.Null(pod.Volumes!.Single(v => v.Name == "data").PersistentVolumeClaim!.ReadOnly);
        Assert.True(pod.Containers[0].SecurityContext!.RunAsNonRoot);
        Assert.True(pod.Containers[0].SecurityContext!.ReadOnlyRootFilesystem);
        Assert.Equal(["ALL"], pod.Containers[0].SecurityContext!.Capabilities!.Drop!);
        Assert.Null(pod.Containers[0].SecurityContext!.Capabilities!.Add);
        Assert.False(pod.AutomountServiceAccountToken);

        var pvc = await Pvcs.GetAsync(ns, "restored-web-data");
        Assert.Equal("datamover-operator", pvc.Metadata.Label("app.kubernetes.io/created-by"));
        Assert.Null(pvc.Metadata.OwnerReferences);
        Assert.Equal("1Gi", pvc.Spec!.Resources!.Requests!["storage"]);

        // What users see.
        var table = await Support.Kubectl.RunAsync(Fixture.Cluster.KubeconfigPath, "get", "dmr", "-n", ns);
        Assert.Equal("Completed", Support.Kubectl.Cell(table, "PHASE"));
        Assert.Equal("team-a/2026-11-30-085704", Support.Kubectl.Cell(table, "SOURCE"));
        Assert.Equal("restored-web-data", Support.Kubectl.Cell(table, "TARGET"));
        Assert.True(Fixture.Operator.Metrics.RestoreOperations.WithLabels("Restoring", DataMoverMetrics.Success, ns).Value >= 1);
        Assert.Equal(1, Fixture.Operator.Metrics.RestoreDuration.WithLabels(DataMoverMetrics.Success, ns).Count);

        // Deleting the restore removes its Job, never the restored data.
        await Restores.DeleteAsync(ns, "into-new", DeleteOptions.Background);
        await EventuallyAsync(async () => await Jobs.TryGetAsync(ns, "into-new-restore") is null, "restore Job garbage-collected");
        pvc = await Pvcs.GetAsync(ns, "restored-web-data");
        Assert.Null(pvc.Metadata.DeletionTimestamp);
    }

    [Fact]
    public async Task LatestIsPassedAsTheFolderAndStatusShowsWhatItResolvedTo()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SecretAsync(ns, "storage-credentials");
        await CreateRestoreAsync(ns, "newest", FromPath("team-a/latest", NewPvc()));
        var restore = await RestorePhaseAsync(ns, "newest", RestorePhase.Completed);
        Assert.Equal(("team-a", "latest", "2026-11-30-085704"), (restore.Status!.Path, restore.Status.RequestedFolder, restore.Status.Folder));
        Assert.Equal("newest", restore.Status.TargetPvc);
        var job = Assert.Single(await RestoreJobsAsync(ns, restore));
        Assert.Equal(("team-a", "latest"), (Env(job, "DATAMOVER_PATH"), Env(job, "DATAMOVER_RESTORE_FOLDER")));
        var table = await Support.Kubectl.RunAsync(Fixture.Cluster.KubeconfigPath, "get", "datamoverrestore", "newest", "-n", ns);
        Assert.Equal("2026-11-30-085704", Support.Kubectl.Cell(table, "FOLDER"));
    }

    [Fact]
    public async Task FromDataMoverRestoresItsFolderWithItsSecretAndSourceSize()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SourceAsync(ns, "web-app-data");
        await SecretAsync(ns, "backup-creds");
        await CreateAsync(ns, "backup-web-data", new DataMoverSpec { SourcePvc = "web-app-data", SecretName = "backup-creds", AddTimestampPrefix = true });
        var dm = await PhaseAsync(ns, "backup-web-data", DataMoverPhase.Completed);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}-\d{6}$", dm.Status!.DestinationPrefix);

        await CreateRestoreAsync(ns, "from-dm", new DataMoverRestoreSpec
        {
            Source = new DataMoverRestoreSource { FromDataMover = "backup-web-data" },
            Target = new DataMoverRestoreTarget { Pvc = new DataMoverRestorePvc { Name = "web-app-data-restored" } },
            DeleteExtraFiles = true,
        });
        var restore = await RestorePhaseAsync(ns, "from-dm", RestorePhase.Completed);
        Assert.Equal(("datamover/backup-web-data", "backup-creds", dm.Status.DestinationPrefix, dm.Status.DestinationPrefix), (restore.Status!.Source, restore.Status.SecretName, restore.Status.RequestedFolder, restore.Status.Folder));
        var job = Assert.Single(await RestoreJobsAsync(ns, restore));
        Assert.Equal(dm.Status.DestinationPrefix, Env(job, "DATAMOVER_RESTORE_FOLDER"));
        Assert.Equal(dm.Spec!.Path ?? "", Env(job, "DATAMOVER_PATH"));
        Assert.Equal("true", Env(job, "DATAMOVER_RESTORE_DELETE"));
        Assert.Equal("backup-creds", job.Spec!.Template.Spec!.Containers[0].EnvFrom!.Single().SecretRef!.Name);
        Assert.Equal("1Gi", (await Pvcs.GetAsync(ns, "web-app-data-restored")).Spec!.Resources!.Requests!["storage"]);
    }

    [Fact]
    public async Task AMissingOrUnfinishedDataMoverIsWaitedForAndAFailedOneFailsTheRestore()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SecretAsync(ns, "storage-credentials");
        var target = NewPvc();
        await CreateRestoreAsync(ns, "from-missing", new DataMoverRestoreSpec { Source = new DataMoverRestoreSource { FromDataMover = "not-there" }, Target = target });
        var missing = await ProgressingReasonAsync(ns, "from-missing", "DataMoverNotFound");
        Assert.Equal("False", Conditions.Find(missing.Status!.Conditions, ConditionTypes.Progressing)!.Status);
        Assert.Contains("not-there", Conditions.Find(missing.Status.Conditions, ConditionTypes.Progressing)!.Message, StringComparison.Ordinal);

        // A DataMover that waits for its (missing) source has not backed anything up yet.
        await CreateAsync(ns, "unfinished", new DataMoverSpec { SourcePvc = "no-such-pvc", SecretName = "storage-credentials" });
        await CreateRestoreAsync(ns, "from-unfinished", new DataMoverRestoreSpec { Source = new DataMoverRestoreSource { FromDataMover = "unfinished" }, Target = NewPvc() });
        await ProgressingReasonAsync(ns, "from-unfinished", "WaitingForBackup");
        Assert.Empty((await Pvcs.ListAsync(ns)).Items);

        // It fails: the restore fails with it, at once, saying why.
        await MarkFailedAsync(ns, "unfinished");
        var failed = await RestorePhaseAsync(ns, "from-unfinished", RestorePhase.Failed);
        Assert.Equal("SourceBackupFailed", FailedReason(failed));
        Assert.Contains("SourcePVCNotFound", FailedMessage(failed), StringComparison.Ordinal);
        Assert.Empty(await RestoreJobsAsync(ns, failed));
    }

    [Fact]
    public async Task InvalidSourcesAreRefusedWithClearMessages()
    {
        var ns = await Fixture.NewNamespaceAsync();
        var both = await ApplyAsync(ns, """
            apiVersion: datamover.a-cup-of.coffee/v1alpha1
            kind: DataMoverRestore
            metadata: {name: both}
            spec:
              source: {fromDataMover: backup-web-data, secretName: storage-credentials, path: team-a/latest}
              target: {pvc: {size: 1Gi}}
            """);
        Assert.NotEqual(0, both.ExitCode);
        Assert.Contains("set exactly one of source.fromDataMover", both.Output, StringComparison.Ordinal);

        var noSize = await ApplyAsync(ns, """
            apiVersion: datamover.a-cup-of.coffee/v1alpha1
            kind: DataMoverRestore
            metadata: {name: nosize}
            spec:
              source: {secretName: storage-credentials, path: team-a/latest}
              target: {pvc: {name: restored}}
            """);
        // A new PVC without size is fine with secretName + path: the backup's manifest sizes it.
        Assert.True(noSize.ExitCode == 0, noSize.Output);

        var dotDot = await ApplyAsync(ns, """
            apiVersion: datamover.a-cup-of.coffee/v1alpha1
            kind: DataMoverRestore
            metadata: {name: dotdot}
            spec:
              source: {secretName: storage-credentials, path: team-a/../team-b}
              target: {pvcName: data}
            """);
        Assert.NotEqual(0, dotDot.ExitCode);
        Assert.Contains("path must not contain . or .. segments", dotDot.Output, StringComparison.Ordinal);
        Assert.Equal(["nosize"], (await Restores.ListAsync(ns)).Items.Select(r => r.Metadata.Name));
    }

    [Fact]
    public async Task ATargetMountedByARunningPodIsWaitedForThenRestored()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SecretAsync(ns, "storage-credentials");
        await SourceAsync(ns, "app-data");
        var pods = Client.Resource(KubeResources.Pods);
        await pods.CreateAsync(new Pod
        {
            Metadata = new ObjectMeta { Name = "app", Namespace = ns },
            Spec = new PodSpec
            {
                TerminationGracePeriodSeconds = 1,
                Containers = [new Container { Name = "app", Image = "busybox", Command = ["sleep", "600"], VolumeMounts = [new VolumeMount { Name = "data", MountPath = "/data" }] }],
                Volumes = [new Volume { Name = "data", PersistentVolumeClaim = new PersistentVolumeClaimVolumeSource { ClaimName = "app-data" } }],
            },
        });
        await EventuallyAsync(async () => (await pods.GetAsync(ns, "app")).Status?.Phase == "Running", "app pod running");

        await CreateRestoreAsync(ns, "in-use", FromPath("team-a/latest", new DataMoverRestoreTarget { PvcName = "app-data" }));
        var waiting = await ProgressingReasonAsync(ns, "in-use", "TargetPVCInUse");
        Assert.Contains("pod(s) app", Conditions.Find(waiting.Status!.Conditions, ConditionTypes.Progressing)!.Message, StringComparison.Ordinal);
        Assert.Equal(RestorePhase.PreparingTarget, waiting.Status.Phase);
        Assert.Empty(await RestoreJobsAsync(ns, waiting));
        await EventuallyAsync(
            async () => (await Client.Resource(KubeResources.Events).ListAsync(ns)).Items.Any(e => e.InvolvedObject?.Name == "in-use" && e.Reason == "TargetPVCInUse" && e.Type == "Warning"),
            "TargetPVCInUse warning event");

        await pods.DeleteAsync(ns, "app", DeleteOptions.Background);
        var restore = await RestorePhaseAsync(ns, "in-use", RestorePhase.Completed);
        Assert.Equal((false, "app-data"), (restore.Status!.TargetPvcCreated, restore.Status.TargetPvc));
        Assert.Null((await Pvcs.GetAsync(ns, "app-data")).Metadata.Label(RestoreLabels.RestoreUid));
    }

    [Fact]
    public async Task ExitZeroWithAPlainMessageIsMoverResultInvalid()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SecretAsync(ns, "storage-credentials");
        await CreateRestoreAsync(ns, "plain-message", FromPath("team-a/latest", NewPvc()));
        var restore = await RestorePhaseAsync(ns, "plain-message", RestorePhase.Failed);
        Assert.Equal("MoverResultInvalid", FailedReason(restore));
        Assert.Contains("restore complete", FailedMessage(restore), StringComparison.Ordinal);
        Assert.Equal("False", Conditions.Find(restore.Status!.Conditions, ConditionTypes.Complete)!.Status);
        Assert.Null(restore.Status.Folder);
    }

    [Fact]
    public async Task RestoreOwnershipIsRefusedUnlessTheOperatorAllowsIt()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SecretAsync(ns, "storage-credentials");
        await CreateRestoreAsync(ns, "owners", FromPath("team-a/latest", NewPvc()) with { RestoreOwnership = true });
        var restore = await RestorePhaseAsync(ns, "owners", RestorePhase.Failed);
        Assert.Equal("PrivilegedRestoreNotAllowed", FailedReason(restore));
        Assert.Contains("--allow-privileged-restore", FailedMessage(restore), StringComparison.Ordinal);
        Assert.Empty(await RestoreJobsAsync(ns, restore));
        Assert.Null(await Pvcs.TryGetAsync(ns, "owners"));
    }

    [Fact]
    public async Task APvcTheRestoreDidNotCreateIsNeverTakenAsANewTarget()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SecretAsync(ns, "storage-credentials");
        await SourceAsync(ns, "someone-elses");
        await CreateRestoreAsync(ns, "taken", FromPath("team-a/latest", NewPvc("someone-elses")));
        var restore = await RestorePhaseAsync(ns, "taken", RestorePhase.Failed);
        Assert.Equal("TargetPVCExists", FailedReason(restore));
        Assert.Empty(await RestoreJobsAsync(ns, restore));
    }

    [Fact]
    public async Task ARestartMidRestoreDoesNotCreateASecondJob()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SecretAsync(ns, "storage-credentials");
        await CreateRestoreAsync(ns, "slow-restart", FromPath("team-a/latest", NewPvc()));
        var running = await ProgressingReasonAsync(ns, "slow-restart", "MoverRunning");
        var first = Assert.Single(await RestoreJobsAsync(ns, running));

        await Fixture.RestartOperatorAsync();
        var restore = await RestorePhaseAsync(ns, "slow-restart", RestorePhase.Completed);
        var job = Assert.Single(await RestoreJobsAsync(ns, restore));
        Assert.Equal(first.Metadata.Uid, job.Metadata.Uid);
        Assert.Equal(running.Status!.JobName, restore.Status!.JobName);
        Assert.Equal(restore.Status.StartTime, running.Status.StartTime);
    }

    [Fact]
    public async Task TheRestoreSamplesReachCompleted()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SourceAsync(ns, "web-app-data");
        await SecretAsync(ns, "storage-credentials");
        foreach (var sample in new[] { "backup-web-data.yaml", "restore-from-datamover.yaml", "restore-latest.yaml", "restore-into-existing.yaml" })
        {
            // With the real kubectl, as users apply them.
            var (exit, output) = await Fixture.KubectlAsync("apply", "-n", ns, "-f", Sandbox.SandboxFixture.RepoFile("deploy/samples/" + sample));
            Assert.True(exit == 0, output);
        }

        foreach (var name in new[] { "restore-web-data", "restore-web-data-latest", "restore-web-data-chosen" })
        {
            await RestorePhaseAsync(ns, name, RestorePhase.Completed);
        }

        Assert.Equal("web-app-data", (await Restores.GetAsync(ns, "restore-web-data-chosen")).Status!.TargetPvc);
    }

    private async Task MarkFailedAsync(string ns, string name)
    {
        // As the DataMover controller leaves a backup that gave up; a write racing the operator's is retried.
        for (var attempt = 0; ; attempt++)
        {
            var dm = await DataMovers.GetAsync(ns, name);
            var status = StatusTransitions.Fail(dm.Status ?? new DataMoverStatus(), dm, DateTimeOffset.UtcNow, "SourceReadyTimeout", "gave up after 10m: SourcePVCNotFound");
            try
            {
                await DataMovers.ReplaceStatusAsync(dm with { Status = status });
                return;
            }
            catch (KubeApiException e) when (e.IsConflict && attempt < 10)
            {
            }
        }
    }

    private async Task<(int ExitCode, string Output)> ApplyAsync(string ns, string yaml)
    {
        var file = Path.Combine(Path.GetTempPath(), "dmr-" + Guid.NewGuid().ToString("n")[..8] + ".yaml");
        await File.WriteAllTextAsync(file, yaml);
        try
        {
            return await Fixture.KubectlAsync("apply", "-n", ns, "-f", file);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
