using System.Text.Json;
using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;
using DataMover.Operator.Restore;
using DataMover.Operator.Scheduling;
using DataMover.Operator.Tests.Cluster;
using DataMover.Operator.Tests.Restore;

namespace DataMover.Operator.Tests.PodSettings;

/// <summary>
/// spec.moverPod against the full sandbox, the operator under its ServiceAccount without --allow-mover-root: the
/// settings reach the Job and the pod the API server admits, unsafe ones are refused at acceptance, and what the
/// cluster refuses or cannot place (a missing ServiceAccount or PriorityClass, an unsatisfiable nodeSelector) shows
/// in the DataMover's status.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class PodSettingsClusterTests(ClusterFixture fixture) : RestoreTestBase(fixture)
{
    private static MoverPodSettings Settings(string json) => JsonSerializer.Deserialize(json, OperatorJsonContext.Default.MoverPodSettings)!;

    [Fact]
    public async Task EverySettingReachesTheJobAndThePodAndTheBackupCompletes()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SourceAsync(ns, "db-data");
        await SecretAsync(ns, "storage-credentials");
        var (status, body) = await Fixture.PostYamlAsync("/apis/scheduling.k8s.io/v1/priorityclasses", $"apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata:\n  name: backup-{ns}\nvalue: 1000\n");
        Assert.True(status < 300, body);
        await Client.Resource(Security.MoverServiceAccounts.Resource).CreateAsync(new Security.ServiceAccount { Metadata = new ObjectMeta { Name = "backup-irsa", Namespace = ns } });
        await CreateAsync(ns, "db", new DataMoverSpec
        {
            SourcePvc = "db-data",
            SecretName = "storage-credentials",
            MoverPod = Settings("""
                {
                  "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "512Mi"}},
                  "nodeSelector": {"kubernetes.io/os": "linux"},
                  "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "backup", "effect": "NoSchedule"}],
                  "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]}]}]}}},
                  "priorityClassName": "PRIORITY_CLASS",
                  "podAnnotations": {"example.com/owner": "db-team"},
                  "podLabels": {"team": "db"},
                  "imagePullSecrets": [{"name": "registry"}],
                  "serviceAccountName": "backup-irsa",
                  "securityContext": {"runAsUser": 1000, "runAsGroup": 1001, "fsGroup": 1002, "supplementalGroups": [1003], "fsGroupChangePolicy": "OnRootMismatch"}
                }
                """.Replace("PRIORITY_CLASS", $"backup-{ns}", StringComparison.Ordinal)),
        });
        await PhaseAsync(ns, "db", DataMoverPhase.Completed);

        var job = Assert.Single((await Jobs.ListAsync(ns)).Items);
        var template = job.Spec!.Template;
        var pod = template.Spec!;
        Assert.Equal("512Mi", pod.Containers[0].Resources!.Limits!["memory"]);
        Assert.Equal("linux", pod.NodeSelector!["kubernetes.io/os"]);
        Assert.Contains(pod.Tolerations!, t => t is { Key: "dedicated", Value: "backup", Effect: "NoSchedule" });
        Assert.Contains("nodeSelectorTerms", pod.Affinity!.Extra!["nodeAffinity"].GetRawText(), StringComparison.Ordinal);
        Assert.Equal($"backup-{ns}", pod.PriorityClassName);
        Assert.Equal("db-team", template.Metadata!.Annotations!["example.com/owner"]);
        Assert.Equal("db", template.Metadata.Labels!["team"]);
        Assert.Equal("registry", Assert.Single(pod.ImagePullSecrets!).Name);
        Assert.Equal("backup-irsa", pod.ServiceAccountName);
        Assert.Equal((1000L, 1001L, 1002L), (pod.SecurityContext!.RunAsUser!.Value, pod.SecurityContext.RunAsGroup!.Value, pod.SecurityContext.FsGroup!.Value));
        Assert.Equal([1003L], pod.SecurityContext.SupplementalGroups!);
        Assert.Equal("OnRootMismatch", pod.SecurityContext.FsGroupChangePolicy);

        // Still hardened, and no token although the ServiceAccount is the user's.
        Assert.False(pod.AutomountServiceAccountToken);
        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.Equal("RuntimeDefault", pod.SecurityContext.SeccompProfile!.Type);
        var c = pod.Containers[0].SecurityContext!;
        Assert.Equal((true, false, true), (c.ReadOnlyRootFilesystem!.Value, c.AllowPrivilegeEscalation!.Value, c.RunAsNonRoot!.Value));
        Assert.Equal(["ALL"], c.Capabilities!.Drop!);
        Assert.Equal(1000, c.RunAsUser);

        // The API server admitted the pod with the class's priority, and no token volume.
        var mover = Assert.Single((await Client.Resource(KubeResources.Pods).ListAsync(ns)).Items, p => p.Metadata.Label(DataMoverLabels.Component) == MoverJobBuilder.Component);
        Assert.Equal("1000", mover.Spec!.Extra!["priority"].GetRawText());
        Assert.DoesNotContain(mover.Spec.Volumes!, v => v.Name.StartsWith("kube-api-access", StringComparison.Ordinal));
        Assert.Equal("db", mover.Metadata.Label("team"));

        // The user's ServiceAccount is left as the user made it; the operator's own one was not needed.
        Assert.Null((await Client.Resource(Security.MoverServiceAccounts.Resource).GetAsync(ns, "backup-irsa")).Metadata.Labels);
        Assert.Null(await Client.Resource(Security.MoverServiceAccounts.Resource).TryGetAsync(ns, Security.MoverServiceAccounts.Name));
    }

    public static TheoryData<string, string> Unsafe => new()
    {
        { """{"securityContext":{"runAsUser":0}}""", "spec.moverPod.securityContext.runAsUser is 0 (root)" },
        { """{"securityContext":{"supplementalGroups":[0]}}""", "spec.moverPod.securityContext.supplementalGroups[0] is 0 (root)" },
        { """{"securityContext":{"privileged":true,"runAsUser":999}}""", "spec.moverPod.securityContext.privileged cannot be set" },
        { """{"hostPID":true}""", "spec.moverPod.hostPID is not a mover pod setting" },
        { """{"podLabels":{"app.kubernetes.io/created-by":"someone"}}""", "spec.moverPod.podLabels sets app.kubernetes.io/created-by" },
        { """{"podAnnotations":{"datamover.a-cup-of.coffee/datamover":"other"}}""", "spec.moverPod.podAnnotations sets datamover.a-cup-of.coffee/datamover" },
    };

    [Theory]
    [MemberData(nameof(Unsafe))]
    public async Task UnsafeSettingsAreRefusedAtAcceptanceWithAConditionAndAnEvent(string moverPod, string expected)
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SourceAsync(ns, "db-data");
        await SecretAsync(ns, "storage-credentials");
        // Through kubectl, as a tenant would write it: fields the API does not declare reach the operator and are refused.
        var (exit, output) = await Fixture.KubectlAsync("apply", "-n", ns, "-f", await ManifestAsync(ns, $$"""
            apiVersion: datamover.a-cup-of.coffee/v1alpha1
            kind: DataMover
            metadata:
              name: unsafe
            spec:
              sourcePvc: db-data
              secretName: storage-credentials
              moverPod: {{moverPod}}
            """));
        Assert.True(exit == 0, output);
        var failed = Conditions.Find((await PhaseAsync(ns, "unsafe", DataMoverPhase.Failed)).Status!.Conditions, ConditionTypes.Failed)!;
        Assert.Equal("PodSettingsNotAllowed", failed.Reason);
        Assert.Contains(expected, failed.Message, StringComparison.Ordinal);
        await EventuallyAsync(async () => (await Client.Resource(KubeResources.Events).ListAsync(ns)).Items.Any(e => e is { Reason: "PodSettingsNotAllowed", Type: "Warning" }), "PodSettingsNotAllowed event");
        Assert.Empty((await Jobs.ListAsync(ns)).Items);
        Assert.Empty((await Pvcs.ListAsync(ns, new ListOptions { LabelSelector = DataMoverLabels.CreatedBySelector })).Items);
    }

    [Fact]
    public async Task AScheduleWithUnsafeSettingsIsNotReadyAndStartsNoRun()
    {
        var ns = await Fixture.NewNamespaceAsync();
        var schedules = Client.Resource(DataMoverResources.Schedules);
        await schedules.CreateAsync(new DataMoverSchedule
        {
            Metadata = new ObjectMeta { Name = "nightly", Namespace = ns },
            Spec = new DataMoverScheduleSpec
            {
                Schedule = "* * * * *",
                SourcePvc = "db-data",
                SecretName = "storage-credentials",
                MoverPod = Settings("""{"securityContext":{"runAsUser":0}}"""),
            },
        });
        var ready = await EventuallyAsync(async () =>
            Conditions.Find((await schedules.GetAsync(ns, "nightly")).Status?.Conditions, ScheduleReasons.ReadyCondition) is { Status: "False", Reason: "PodSettingsNotAllowed" } c ? c : null, "Ready=False PodSettingsNotAllowed");
        Assert.Contains("runAsUser is 0 (root)", ready.Message, StringComparison.Ordinal);
        await EventuallyAsync(async () => (await Client.Resource(KubeResources.Events).ListAsync(ns)).Items.Any(e => e is { Reason: "PodSettingsNotAllowed", Type: "Warning" }), "PodSettingsNotAllowed event");
        Assert.Empty((await DataMovers.ListAsync(ns)).Items);
    }

    [Fact]
    public void AScheduleCopiesItsSettingsIntoEachRun()
    {
        var created = ScheduledRunFactory.Build(
            new DataMoverSchedule
            {
                Metadata = new ObjectMeta { Name = "nightly", Namespace = "default", Uid = "uid-s" },
                Spec = new DataMoverScheduleSpec { SourcePvc = "db-data", SecretName = "s", MoverPod = Settings("""{"securityContext":{"runAsUser":999}}""") },
            },
            DateTimeOffset.UnixEpoch);
        Assert.Equal(999, created.Spec!.MoverPod!.SecurityContext!.RunAsUser);
    }

    [Fact]
    public async Task ARestoreJobGetsTheSettings()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SecretAsync(ns, "storage-credentials");
        var spec = FromPath("team-a/2026-11-30-085704", NewPvc("restored")) with
        {
            MoverPod = Settings("""{"nodeSelector":{"kubernetes.io/os":"linux"},"podLabels":{"team":"db"},"securityContext":{"runAsUser":1000,"fsGroup":1000}}"""),
        };
        await CreateRestoreAsync(ns, "with-settings", spec);
        var restore = await RestorePhaseAsync(ns, "with-settings", RestorePhase.Completed);
        var pod = Assert.Single(await RestoreJobsAsync(ns, restore)).Spec!.Template;
        Assert.Equal("linux", pod.Spec!.NodeSelector!["kubernetes.io/os"]);
        Assert.Equal("db", pod.Metadata!.Labels!["team"]);
        Assert.Equal((1000L, 1000L), (pod.Spec.SecurityContext!.RunAsUser!.Value, pod.Spec.SecurityContext.FsGroup!.Value));
        Assert.True(pod.Spec.SecurityContext.RunAsNonRoot);
    }

    [Fact]
    public async Task AMissingServiceAccountOrPriorityClassShowsAsMoverPodNotCreated()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SourceAsync(ns, "db-data");
        await SecretAsync(ns, "storage-credentials");
        // Each in a folder of its own, so that neither waits for the other's mirror destination.
        await CreateAsync(ns, "no-sa", new DataMoverSpec { SourcePvc = "db-data", SecretName = "storage-credentials", AddTimestampPrefix = true, MoverPod = Settings("""{"serviceAccountName":"not-there"}""") });
        var blocked = await ProgressingAsync(ns, "no-sa", "MoverPodNotCreated");
        Assert.Contains("serviceaccount \"not-there\" not found", blocked.Message, StringComparison.Ordinal);
        await EventuallyAsync(async () => (await Client.Resource(KubeResources.Events).ListAsync(ns)).Items.Any(e => e is { Reason: "MoverPodNotCreated", Type: "Warning" }), "MoverPodNotCreated event");

        await SourceAsync(ns, "db-data-2");
        await CreateAsync(ns, "no-pc", new DataMoverSpec { SourcePvc = "db-data-2", SecretName = "storage-credentials", AddTimestampPrefix = true, MoverPod = Settings("""{"priorityClassName":"not-there"}""") });
        blocked = await ProgressingAsync(ns, "no-pc", "MoverPodNotCreated");
        Assert.Contains("no PriorityClass with name not-there was found", blocked.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARestoreUnderAMissingServiceAccountShowsAsMoverPodNotCreated()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SecretAsync(ns, "storage-credentials");
        await CreateRestoreAsync(ns, "no-sa", FromPath("team-a/2026-11-30-085704", NewPvc("restored")) with { MoverPod = Settings("""{"serviceAccountName":"not-there"}""") });
        var restore = await ProgressingReasonAsync(ns, "no-sa", "MoverPodNotCreated");
        Assert.Contains("serviceaccount \"not-there\" not found", Conditions.Find(restore.Status!.Conditions, ConditionTypes.Progressing)!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnsatisfiableNodeSelectorLeavesThePodPendingUntilTheStartTimeout()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SourceAsync(ns, "db-data");
        await SecretAsync(ns, "storage-credentials");
        await CreateAsync(ns, "nowhere", new DataMoverSpec
        {
            SourcePvc = "db-data",
            SecretName = "storage-credentials",
            MoverPod = Settings("""{"nodeSelector":{"pool":"gpu"}}"""),
            Timeouts = new DataMoverTimeouts { MoverStart = "10s" },
        });
        var failed = Conditions.Find((await PhaseAsync(ns, "nowhere", DataMoverPhase.Failed)).Status!.Conditions, ConditionTypes.Failed)!;
        Assert.Equal("MoverStartTimeout", failed.Reason);
        Assert.Contains("didn't match Pod's node affinity/selector", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AVolumeOwnedByUid999Mode0700IsBackedUpOnlyAsUid999()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SourceAsync(ns, "db-data");
        await SecretAsync(ns, "storage-credentials");
        var claim = await Pvcs.GetAsync(ns, "db-data");
        var dir = (await Client.Resource(KubeResources.PersistentVolumes).GetAsync(null, claim.Spec!.VolumeName!)).Spec!.HostPath!.Path!;
        await File.WriteAllTextAsync(Path.Combine(dir, "data.db"), "rows");
        Chown(Path.Combine(dir, "data.db"), 999, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Chown(dir, 999, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        await CreateAsync(ns, "as-nobody", new DataMoverSpec { SourcePvc = "db-data", SecretName = "storage-credentials" });
        var failed = Conditions.Find((await PhaseAsync(ns, "as-nobody", DataMoverPhase.Failed)).Status!.Conditions, ConditionTypes.Failed)!;
        Assert.Equal("MoverFailed", failed.Reason);
        Assert.Contains("Permission denied", failed.Message, StringComparison.OrdinalIgnoreCase);

        await CreateAsync(ns, "as-owner", new DataMoverSpec
        {
            SourcePvc = "db-data",
            SecretName = "storage-credentials",
            MoverPod = Settings("""{"securityContext":{"runAsUser":999,"runAsGroup":999}}"""),
        });
        await PhaseAsync(ns, "as-owner", DataMoverPhase.Completed);
        await EventuallyAsync(async () => (await Client.Resource(KubeResources.Events).ListAsync(ns)).Items.Any(e => e.Reason == "BackupSucceeded" && e.Message!.Contains("(1 files", StringComparison.Ordinal)), "BackupSucceeded with the database's file");
    }

    private static void Chown(string path, int uid, UnixFileMode mode)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("the sandbox node needs Linux");
        }

        using var chown = System.Diagnostics.Process.Start("chown", [$"{uid}:{uid}", path])!;
        chown.WaitForExit();
        Assert.Equal(0, chown.ExitCode);
        File.SetUnixFileMode(path, mode);
    }

    private async Task<Condition> ProgressingAsync(string ns, string name, string reason)
    {
        Condition? last = null;
        try
        {
            return await EventuallyAsync(async () =>
            {
                last = Conditions.Find((await DataMovers.GetAsync(ns, name)).Status?.Conditions, ConditionTypes.Progressing);
                return last?.Reason == reason ? last : null;
            }, $"{name} Progressing {reason}");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; last Progressing: {last?.Reason}: {last?.Message}", e);
        }
    }

    private async Task<string> ManifestAsync(string ns, string yaml)
    {
        var path = Path.Combine(Fixture.Cluster.DataDir, $"{ns}-{Guid.NewGuid():n}.yaml");
        await File.WriteAllTextAsync(path, yaml);
        return path;
    }
}
