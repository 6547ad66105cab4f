using System.Text.RegularExpressions;
using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Operator.Controllers;

namespace DataMover.Operator.Tests.Sandbox;

[Collection(SandboxCollection.Name)]
public sealed partial class LifecycleTests(SandboxFixture fixture) : OperatorTestBase(fixture)
{
    [Fact]
    public async Task WaitsForTheSourceToExistAndBindThenClones()
    {
        await StartOperatorAsync();
        await CreateDataMoverAsync("backup-web-data");

        var dm = await WaitForReasonAsync("backup-web-data", "SourcePVCNotFound");
        Assert.Contains("\"web-app-data\" not found", Conditions.Find(dm.Status!.Conditions, ConditionTypes.Progressing)!.Message, StringComparison.Ordinal);
        Assert.Equal("Warning", (await WaitForEventAsync("backup-web-data", "SourcePVCNotFound")).Type);
        Assert.Empty(await ClonesAsync());

        await CreateSourceAsync(bound: false);
        await WaitForReasonAsync("backup-web-data", "SourcePVCNotBound");
        Assert.Empty(await ClonesAsync());

        await BindAsync("web-app-data", "3Gi");
        dm = await WaitForPhaseAsync("backup-web-data", DataMoverPhase.CreatingClonedPvc);
        Assert.Matches(CloneName(), dm.Status!.RestoredPvcName!);
        var clone = await WaitAsync(async () => await Pvcs.TryGetAsync(Ns, dm.Status.RestoredPvcName!), () => "clone");
        Assert.Equal(SandboxFixture.CsiClass, clone.Spec!.StorageClassName);
        Assert.Equal(["ReadWriteOnce"], clone.Spec.AccessModes!);
        Assert.Equal("3Gi", clone.Spec.Resources!.Requests!["storage"]);
        Assert.Equal(("PersistentVolumeClaim", "web-app-data"), (clone.Spec.DataSource!.Kind, clone.Spec.DataSource.Name));
        Assert.Equal("datamover-operator", clone.Metadata.Labels![DataMoverLabels.CreatedBy]);
        Assert.Equal("backup-web-data", clone.Metadata.Labels[DataMoverLabels.DataMoverName]);
        var owner = clone.Metadata.ControllerReference()!;
        Assert.Equal((dm.Metadata.Uid, true), (owner.Uid, owner.BlockOwnerDeletion!.Value));
        // Waiting for the clone to bind is what the phase opened with: no status write says it again.
        Assert.Equal("CreatingClone", Conditions.Find((await DataMovers.GetAsync(Ns, "backup-web-data")).Status!.Conditions, ConditionTypes.Progressing)!.Reason);
        Assert.Contains(Logs.Lines, l => l.Contains("clone", StringComparison.OrdinalIgnoreCase) && l.Contains(dm.Status.RestoredPvcName!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task BacksUpAndDeletesTheCloneWithATimestampFolder()
    {
        var host = await StartOperatorAsync();
        await CreateSourceAsync();
        await CreateDataMoverAsync("backup", deleteClone: true, timestamp: true);
        var dm = await WaitForPhaseAsync("backup", DataMoverPhase.CreatingClonedPvc);
        var folder = dm.Status!.DestinationPrefix!;
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}-\d{6}$", folder);
        await WaitAsync(async () => await Pvcs.TryGetAsync(Ns, dm.Status.RestoredPvcName!), () => "clone");
        await BindAsync(dm.Status.RestoredPvcName!);

        dm = await WaitForPhaseAsync("backup", DataMoverPhase.CreatingPod);
        Assert.Equal("backup-mover", dm.Status!.JobName);
        var job = await WaitAsync(async () => await Jobs.TryGetAsync(Ns, "backup-mover"), () => "job");
        var env = job.Spec!.Template.Spec!.Containers[0].Env!;
        Assert.Equal(folder, env.Single(e => e.Name == "DATAMOVER_DESTINATION_PREFIX").Value);
        Assert.Equal("true", env.Single(e => e.Name == "ADD_TIMESTAMP_PREFIX").Value);
        Assert.Equal("example.local/mover:test", job.Spec.Template.Spec.Containers[0].Image);
        Assert.Equal(dm.Status.RestoredPvcName, job.Spec.Template.Spec.Volumes!.Single(v => v.PersistentVolumeClaim is not null).PersistentVolumeClaim!.ClaimName);

        await CreateJobPodAsync(job, 0, MoverResultFor(job, "my-bucket", ["BASH_ENV"]));
        await FinishJobAsync("backup-mover", succeeded: true);

        // The finished pod would keep the clone in use: the Job goes, and Completed waits until the clone is gone.
        dm = await WaitForPhaseAsync("backup", DataMoverPhase.CleaningUp);
        await WaitAsync(async () => await Jobs.TryGetAsync(Ns, "backup-mover") is null ? "gone" : null, () => "mover Job deleted");
        var terminating = await WaitAsync(async () => await Pvcs.TryGetAsync(Ns, dm.Status!.RestoredPvcName!) is { Metadata.DeletionTimestamp: not null } c ? c : null, () => "clone deleting");
        await Task.Delay(300);
        Assert.Equal(DataMoverPhase.CleaningUp, (await DataMovers.GetAsync(Ns, "backup")).Status!.Phase);
        await ReleaseAsync(terminating.Metadata.Name!);
        dm = await WaitForPhaseAsync("backup", DataMoverPhase.Completed);
        Assert.Equal($"s3://my-bucket/{folder}/", dm.Status!.Destination);
        Assert.Equal("True", Conditions.Find(dm.Status.Conditions, ConditionTypes.Complete)!.Status);
        Assert.Equal("False", Conditions.Find(dm.Status.Conditions, ConditionTypes.Failed)!.Status);
        Assert.NotNull(dm.Status.CompletionTime);
        Assert.Null(await Pvcs.TryGetAsync(Ns, dm.Status.RestoredPvcName!));
        Assert.Contains("3 files, 42 bytes", (await WaitForEventAsync("backup", "BackupSucceeded")).Message, StringComparison.Ordinal);
        Assert.Contains("BASH_ENV", (await WaitForEventAsync("backup", "SecretKeysIgnored")).Message, StringComparison.Ordinal);

        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(new Uri(host.MetricsUrl!, "/metrics"));
        Assert.Contains($"datamover_operations_total{{phase=\"CreatingClonedPVC\",status=\"success\",namespace=\"{Ns}\"}} 1", metrics, StringComparison.Ordinal);
        Assert.Contains($"datamover_phase_duration_seconds_count{{phase=\"CreatingClonedPVC\",namespace=\"{Ns}\"}} 1", metrics, StringComparison.Ordinal);
        Assert.Contains($"datamover_current_phase{{name=\"backup\",namespace=\"{Ns}\"}} 5", metrics, StringComparison.Ordinal);
        Assert.Contains($"datamover_cleanup_operations_total{{status=\"success\",namespace=\"{Ns}\"}} 1", metrics, StringComparison.Ordinal);
        Assert.Contains($"datamover_data_sync_operations_total{{status=\"success\",namespace=\"{Ns}\"}} 1", metrics, StringComparison.Ordinal);
        Assert.Contains($"datamover_pod_creation_operations_total{{status=\"success\",namespace=\"{Ns}\"}} 1", metrics, StringComparison.Ordinal);
        Assert.Equal("ok", await http.GetStringAsync(new Uri(host.HealthUrl!, "/readyz")));
        Assert.Equal("ok", await http.GetStringAsync(new Uri(host.HealthUrl!, "/healthz")));

        await DataMovers.DeleteAsync(Ns, "backup");
        await WaitAsync(async () => (await http.GetStringAsync(new Uri(host.MetricsUrl!, "/metrics"))).Contains("name=\"backup\"", StringComparison.Ordinal) ? null : "gone", () => "gauge removal");
    }

    [Fact]
    public async Task MoverFailureFailsWithTheTerminationMessageAndKeepsTheClone()
    {
        await StartOperatorAsync();
        await CreateSourceAsync();
        await CreateDataMoverAsync("fails", deleteClone: true);
        var dm = await WaitForPhaseAsync("fails", DataMoverPhase.CreatingClonedPvc);
        await WaitAsync(async () => await Pvcs.TryGetAsync(Ns, dm.Status!.RestoredPvcName!), () => "clone");
        await BindAsync(dm.Status!.RestoredPvcName!);
        var job = await WaitAsync(async () => await Jobs.TryGetAsync(Ns, "fails-mover"), () => "job");
        await CreateJobPodAsync(job, 3, "bucket my-bucket not found at https://s3.local");
        await FinishJobAsync("fails-mover", succeeded: false);

        dm = await WaitForPhaseAsync("fails", DataMoverPhase.Failed);
        var failed = Conditions.Find(dm.Status!.Conditions, ConditionTypes.Failed)!;
        Assert.Equal("True", failed.Status);
        Assert.Contains("bucket my-bucket not found", failed.Message, StringComparison.Ordinal);
        Assert.Contains("bucket my-bucket not found", (await WaitForEventAsync("fails", "MoverFailed")).Message, StringComparison.Ordinal);
        Assert.Equal("Warning", (await WaitForEventAsync("fails", "MoverFailed")).Type);
        var clone = await Pvcs.GetAsync(Ns, dm.Status.RestoredPvcName!);
        Assert.Null(clone.Metadata.DeletionTimestamp);
    }

    [Fact]
    public async Task MissingSecretIsReportedWithinSeconds()
    {
        await StartOperatorAsync();
        await CreateSourceAsync();
        await CreateDataMoverAsync("nosecret", secret: "missing-creds");
        var dm = await WaitForPhaseAsync("nosecret", DataMoverPhase.CreatingClonedPvc);
        await WaitAsync(async () => await Pvcs.TryGetAsync(Ns, dm.Status!.RestoredPvcName!), () => "clone");
        await BindAsync(dm.Status!.RestoredPvcName!);
        var job = await WaitAsync(async () => await Jobs.TryGetAsync(Ns, "nosecret-mover"), () => "job");
        Assert.Equal("missing-creds", job.Spec!.Template.Spec!.Containers[0].EnvFrom![0].SecretRef!.Name);
        await CreateJobPodAsync(job, null, null, "CreateContainerConfigError", "secret \"missing-creds\" not found");

        dm = await WaitForReasonAsync("nosecret", "MoverPodBlocked");
        Assert.Contains("secret \"missing-creds\" not found", Conditions.Find(dm.Status!.Conditions, ConditionTypes.Progressing)!.Message, StringComparison.Ordinal);
        Assert.Equal(DataMoverPhase.CreatingPod, dm.Status.Phase);
        await WaitForEventAsync("nosecret", "MoverPodBlocked");
    }

    [Fact]
    public async Task InTreeStorageClassFailsAtOnce()
    {
        await StartOperatorAsync();
        await CreateSourceAsync(storageClass: SandboxFixture.InTreeClass);
        await CreateDataMoverAsync("intree");
        var dm = await WaitForPhaseAsync("intree", DataMoverPhase.Failed);
        Assert.Equal("CloneNotSupported", Conditions.Find(dm.Status!.Conditions, ConditionTypes.Failed)!.Reason);
        Assert.Contains("kubernetes.io/aws-ebs", Conditions.Find(dm.Status.Conditions, ConditionTypes.Failed)!.Message, StringComparison.Ordinal);
        Assert.Empty(await ClonesAsync());
    }

    [Fact]
    public async Task ACloneTheApiServerRefusesFailsAsForbiddenNamingVerbAndResource()
    {
        await CreateSourceAsync();
        await CreateDataMoverAsync("refused");

        // A terminating namespace refuses new objects with 403 Forbidden (no namespace controller runs here to finish it).
        await Client.Resource(KubeResources.Namespaces).DeleteAsync(null, Ns);
        await StartOperatorAsync();
        var dm = await WaitForPhaseAsync("refused", DataMoverPhase.Failed);
        var failed = Conditions.Find(dm.Status!.Conditions, ConditionTypes.Failed)!;
        Assert.Equal("Forbidden", failed.Reason);
        Assert.StartsWith($"cannot create persistentvolumeclaims in namespace {Ns}: ", failed.Message, StringComparison.Ordinal);
        Assert.Contains("forbidden", failed.Message, StringComparison.Ordinal);
        Assert.Equal("Warning", (await WaitForEventAsync("refused", "Forbidden")).Type);
    }

    [Fact]
    public async Task PendingCloneCarriesTheProvisionersWarning()
    {
        await StartOperatorAsync();
        await CreateSourceAsync();
        await CreateDataMoverAsync("pending");
        var dm = await WaitForPhaseAsync("pending", DataMoverPhase.CreatingClonedPvc);
        var clone = await WaitAsync(async () => await Pvcs.TryGetAsync(Ns, dm.Status!.RestoredPvcName!), () => "clone");
        await Events.CreateAsync(new Event
        {
            Metadata = new ObjectMeta { Name = "clone.warn", Namespace = Ns },
            InvolvedObject = new ObjectReference { Kind = "PersistentVolumeClaim", Name = clone.Metadata.Name, Namespace = Ns, Uid = clone.Metadata.Uid, ApiVersion = "v1" },
            Type = "Warning",
            Reason = "ProvisioningFailed",
            Message = "out of capacity in pool fast",
            LastTimestamp = DateTimeOffset.UtcNow,
            FirstTimestamp = DateTimeOffset.UtcNow,
            Count = 1,
            Source = new EventSource { Component = "fake-provisioner" },
        });
        dm = await WaitForReasonAsync("pending", "CloneNotReady");
        Assert.Contains("ProvisioningFailed: out of capacity in pool fast", Conditions.Find(dm.Status!.Conditions, ConditionTypes.Progressing)!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefusedAdditionalEnvFailsAtAcceptanceNamingEveryName()
    {
        await StartOperatorAsync();
        await CreateSourceAsync();
        await CreateDataMoverAsync("env", env: [new EnvVar { Name = "HOME", Value = "/tmp" }, new EnvVar { Name = "BASH_ENV", Value = "$(canary-env-value)" }, new EnvVar { Name = "RCLONE_TRANSFERS", Value = "2" }]);
        var dm = await WaitForPhaseAsync("env", DataMoverPhase.Failed);
        var failed = Conditions.Find(dm.Status!.Conditions, ConditionTypes.Failed)!;
        Assert.Equal("EnvNotAllowed", failed.Reason);
        Assert.Contains("HOME (set by the operator)", failed.Message, StringComparison.Ordinal);
        Assert.Contains("BASH_ENV (changes how the shell", failed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("RCLONE_TRANSFERS", failed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("canary", failed.Message, StringComparison.Ordinal);
        Assert.Contains("BASH_ENV", (await WaitForEventAsync("env", "EnvNotAllowed")).Message, StringComparison.Ordinal);
        Assert.Contains(Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("EnvNotAllowed", StringComparison.Ordinal));
        Assert.Empty(await ClonesAsync());
        Assert.Empty(await JobListAsync());
    }

    [Fact]
    public async Task AllowedAdditionalEnvReachesTheMoverUnderItsOwnTokenlessServiceAccount()
    {
        await StartOperatorAsync();
        await CreateSourceAsync();
        await CreateDataMoverAsync("env", env: [new EnvVar { Name = "RCLONE_TRANSFERS", Value = "2" }, new EnvVar { Name = "AWS_REGION", Value = "eu-west-3" }]);
        var dm = await WaitForPhaseAsync("env", DataMoverPhase.CreatingClonedPvc);
        await WaitAsync(async () => await Pvcs.TryGetAsync(Ns, dm.Status!.RestoredPvcName!), () => "clone");
        await BindAsync(dm.Status!.RestoredPvcName!);
        var job = await WaitAsync(async () => await Jobs.TryGetAsync(Ns, "env-mover"), () => "job");
        var pod = job.Spec!.Template.Spec!;
        var env = pod.Containers[0].Env!;
        Assert.Equal("/config", Assert.Single(env, e => e.Name == "HOME").Value);
        Assert.Equal("2", Assert.Single(env, e => e.Name == "RCLONE_TRANSFERS").Value);
        Assert.Equal("eu-west-3", Assert.Single(env, e => e.Name == "AWS_REGION").Value);
        Assert.Equal("DATAMOVER_SECRET_", Assert.Single(pod.Containers[0].EnvFrom!).Prefix);
        Assert.Equal(("datamover-mover", false), (pod.ServiceAccountName, pod.AutomountServiceAccountToken));
        var account = await Client.Resource(Security.MoverServiceAccounts.Resource).GetAsync(Ns, "datamover-mover");
        Assert.False(account.AutomountServiceAccountToken);
        Assert.Equal("datamover-operator", account.Metadata.Labels![DataMoverLabels.CreatedBy]);
    }

    [Fact]
    public async Task ExitZeroWithoutAResultIsNotASuccess()
    {
        await StartOperatorAsync();
        await CreateSourceAsync();
        await CreateDataMoverAsync("plain", timestamp: true);
        var dm = await WaitForPhaseAsync("plain", DataMoverPhase.CreatingClonedPvc);
        await WaitAsync(async () => await Pvcs.TryGetAsync(Ns, dm.Status!.RestoredPvcName!), () => "clone");
        await BindAsync(dm.Status!.RestoredPvcName!);
        var job = await WaitAsync(async () => await Jobs.TryGetAsync(Ns, "plain-mover"), () => "job");
        await CreateJobPodAsync(job, 0, "backup to s3:my-bucket/x complete: 3 files");
        await FinishJobAsync("plain-mover", succeeded: true);
        dm = await WaitForPhaseAsync("plain", DataMoverPhase.Failed);
        var failed = Conditions.Find(dm.Status!.Conditions, ConditionTypes.Failed)!;
        Assert.Equal("MoverResultInvalid", failed.Reason);
        Assert.Contains("not a DataMoverResult", failed.Message, StringComparison.Ordinal);
        Assert.Contains("backup to s3:my-bucket/x complete", failed.Message, StringComparison.Ordinal);
        Assert.Null(dm.Status.Destination);
    }

    [Fact]
    public async Task AResultForAnotherFolderIsNotASuccessAndIgnoredKeysAreReported()
    {
        await StartOperatorAsync();
        await CreateSourceAsync();
        await CreateDataMoverAsync("other", timestamp: true);
        var dm = await WaitForPhaseAsync("other", DataMoverPhase.CreatingClonedPvc);
        await WaitAsync(async () => await Pvcs.TryGetAsync(Ns, dm.Status!.RestoredPvcName!), () => "clone");
        await BindAsync(dm.Status!.RestoredPvcName!);
        var job = await WaitAsync(async () => await Jobs.TryGetAsync(Ns, "other-mover"), () => "job");
        var folder = dm.Status.DestinationPrefix!;
        await CreateJobPodAsync(job, 0, MoverResultFor(job, "b", ["BASH_ENV"]).Replace(folder, "1999-01-01-000000", StringComparison.Ordinal));
        await FinishJobAsync("other-mover", succeeded: true);
        dm = await WaitForPhaseAsync("other", DataMoverPhase.Failed);
        var failed = Conditions.Find(dm.Status!.Conditions, ConditionTypes.Failed)!;
        Assert.Equal("MoverResultInvalid", failed.Reason);
        Assert.Contains("not the recorded path", failed.Message, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^web-app-data-cloned-\d{14}$")]
    private static partial Regex CloneName();
}
