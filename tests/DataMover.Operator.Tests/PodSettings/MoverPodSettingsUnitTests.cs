using System.Text.Json;
using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;
using DataMover.Operator.Restore;
using DataMover.Operator.Security;
using DataMover.Operator.Tests.Unit;

namespace DataMover.Operator.Tests.PodSettings;

/// <summary>spec.moverPod: the merge over the operator's defaults, the policy, and the pod the Job builders make of it.</summary>
public sealed class MoverPodSettingsUnitTests
{
    private static readonly MoverPodSettings Full = new()
    {
        Resources = new ResourceRequirements { Requests = new Dictionary<string, string> { ["cpu"] = "250m" }, Limits = new Dictionary<string, string> { ["memory"] = "1Gi" } },
        NodeSelector = new Dictionary<string, string> { ["kubernetes.io/os"] = "linux" },
        Tolerations = [new Toleration { Key = "dedicated", Operator = "Equal", Value = "backup", Effect = "NoSchedule" }],
        Affinity = JsonSerializer.Deserialize("""{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"kubernetes.io/os","operator":"In","values":["linux"]}]}]}}}}""", OperatorJsonContext.Default.MoverPodSettings)!.Affinity,
        PriorityClassName = "backup-low",
        PodAnnotations = new Dictionary<string, string> { ["example.com/team"] = "db" },
        PodLabels = new Dictionary<string, string> { ["team"] = "db" },
        ImagePullSecrets = [new LocalObjectReference { Name = "registry" }],
        ServiceAccountName = "backup-irsa",
        SecurityContext = new MoverPodSecurityContext { RunAsUser = 999, RunAsGroup = 999, FsGroup = 999, SupplementalGroups = [4000], FsGroupChangePolicy = "OnRootMismatch" },
    };

    private static Job BackupJob(MoverPodSettings? settings)
    {
        var dm = TestObjects.DataMover();
        return MoverJobBuilder.Build(dm, dm.Spec!, new MoverJobPlan("backup-web-data-mover", "clone", "", MoverImageRef.DefaultImage, TimeSpan.FromHours(1), null, settings)).Job;
    }

    private static PodSpec BackupPod(MoverPodSettings? settings, out ObjectMeta podMeta)
    {
        var job = BackupJob(settings);
        podMeta = job.Spec!.Template.Metadata!;
        return job.Spec.Template.Spec!;
    }

    private static void AssertHardened(PodSpec pod)
    {
        Assert.False(pod.AutomountServiceAccountToken);
        Assert.Equal("RuntimeDefault", pod.SecurityContext!.SeccompProfile!.Type);
        var c = Assert.Single(pod.Containers).SecurityContext!;
        Assert.True(c.ReadOnlyRootFilesystem);
        Assert.False(c.AllowPrivilegeEscalation);
        Assert.False(c.Privileged);
        Assert.Equal(["ALL"], c.Capabilities!.Drop!);
        Assert.Null(c.Capabilities.Add);
        Assert.Equal("RuntimeDefault", c.SeccompProfile!.Type);
    }

    [Fact]
    public void EverySettingReachesThePodAndTheHardeningStays()
    {
        var pod = BackupPod(Full, out var meta);
        Assert.Equal("250m", pod.Containers[0].Resources!.Requests!["cpu"]);
        Assert.Equal("1Gi", pod.Containers[0].Resources!.Limits!["memory"]);
        Assert.Equal("linux", pod.NodeSelector!["kubernetes.io/os"]);
        Assert.Equal("backup", Assert.Single(pod.Tolerations!).Value);
        Assert.True(pod.Affinity!.Extra!.ContainsKey("nodeAffinity"));
        Assert.Equal("backup-low", pod.PriorityClassName);
        Assert.Equal("db", meta.Annotations!["example.com/team"]);
        Assert.Equal("db", meta.Labels!["team"]);
        Assert.Equal("datamover-operator", meta.Labels[DataMoverLabels.CreatedBy]);
        Assert.Equal("registry", Assert.Single(pod.ImagePullSecrets!).Name);
        Assert.Equal("backup-irsa", pod.ServiceAccountName);
        Assert.Equal((999L, 999L, 999L), (pod.SecurityContext!.RunAsUser!.Value, pod.SecurityContext.RunAsGroup!.Value, pod.SecurityContext.FsGroup!.Value));
        Assert.Equal([4000L], pod.SecurityContext.SupplementalGroups!);
        Assert.Equal("OnRootMismatch", pod.SecurityContext.FsGroupChangePolicy);
        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.Equal((999L, 999L), (pod.Containers[0].SecurityContext!.RunAsUser!.Value, pod.Containers[0].SecurityContext!.RunAsGroup!.Value));
        Assert.True(pod.Containers[0].SecurityContext!.RunAsNonRoot);
        AssertHardened(pod);

        // The affinity tree goes to the API server as it was written.
        var json = JsonSerializer.Serialize(BackupJob(Full), DataMover.Kube.Json.KubeJsonContext.Default.Job);
        Assert.Contains("""
            "affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"kubernetes.io/os","operator":"In","values":["linux"]}]}]}}}
            """, json, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutSettingsThePodIsTheHardenedDefault()
    {
        var pod = BackupPod(null, out var meta);
        Assert.Equal("datamover-mover", pod.ServiceAccountName);
        Assert.Equal((65534L, 65534L, 65534L), (pod.SecurityContext!.RunAsUser!.Value, pod.SecurityContext.RunAsGroup!.Value, pod.SecurityContext.FsGroup!.Value));
        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.Null(pod.NodeSelector);
        Assert.Null(pod.Tolerations);
        Assert.Null(pod.PriorityClassName);
        Assert.Null(meta.Annotations);
        Assert.Null(pod.Containers[0].Resources);
        AssertHardened(pod);
    }

    [Fact]
    public void RootAllowedByTheOperatorTurnsOffRunAsNonRootOnly()
    {
        var pod = BackupPod(new MoverPodSettings { SecurityContext = new MoverPodSecurityContext { RunAsUser = 0, RunAsGroup = 0 } }, out _);
        Assert.Equal(0, pod.SecurityContext!.RunAsUser);
        Assert.False(pod.SecurityContext.RunAsNonRoot);
        Assert.False(pod.Containers[0].SecurityContext!.RunAsNonRoot);
        AssertHardened(pod);
    }

    [Fact]
    public void ObjectWinsFieldByFieldMapsMergeKeyByKeyListsAreReplaced()
    {
        var defaults = new MoverPodSettings
        {
            Resources = new ResourceRequirements { Requests = new Dictionary<string, string> { ["cpu"] = "100m", ["memory"] = "128Mi" } },
            NodeSelector = new Dictionary<string, string> { ["pool"] = "backup", ["kubernetes.io/os"] = "linux" },
            Tolerations = [new Toleration { Key = "a", Operator = "Exists" }, new Toleration { Key = "b", Operator = "Exists" }],
            PriorityClassName = "low",
            PodLabels = new Dictionary<string, string> { ["team"] = "platform", ["cost"] = "backup" },
            SecurityContext = new MoverPodSecurityContext { RunAsUser = 1000, FsGroup = 2000 },
        };
        var own = new MoverPodSettings
        {
            Resources = new ResourceRequirements { Requests = new Dictionary<string, string> { ["cpu"] = "1" } },
            NodeSelector = new Dictionary<string, string> { ["pool"] = "db" },
            Tolerations = [new Toleration { Key = "c", Operator = "Exists" }],
            PodLabels = new Dictionary<string, string> { ["team"] = "db" },
            SecurityContext = new MoverPodSecurityContext { RunAsUser = 999 },
        };
        var merged = MoverPodSettingsResolver.Resolve(defaults, own);
        Assert.Equal(new Dictionary<string, string> { ["cpu"] = "1", ["memory"] = "128Mi" }, merged.Resources!.Requests);
        Assert.Equal(new Dictionary<string, string> { ["pool"] = "db", ["kubernetes.io/os"] = "linux" }, merged.NodeSelector);
        Assert.Equal("c", Assert.Single(merged.Tolerations!).Key);
        Assert.Equal("low", merged.PriorityClassName);
        Assert.Equal(new Dictionary<string, string> { ["team"] = "db", ["cost"] = "backup" }, merged.PodLabels);
        Assert.Equal((999L, 2000L), (merged.SecurityContext!.RunAsUser!.Value, merged.SecurityContext.FsGroup!.Value));
        Assert.Same(own, MoverPodSettingsResolver.Resolve(null, own));
        Assert.Same(defaults, MoverPodSettingsResolver.Resolve(defaults, null));
    }

    public static TheoryData<string, string> Refused => new()
    {
        { """{"securityContext":{"runAsUser":0}}""", "spec.moverPod.securityContext.runAsUser is 0 (root), which the operator allows only when it runs with --allow-mover-root" },
        { """{"securityContext":{"runAsGroup":0}}""", "spec.moverPod.securityContext.runAsGroup is 0 (root)" },
        { """{"securityContext":{"fsGroup":0}}""", "spec.moverPod.securityContext.fsGroup is 0 (root)" },
        { """{"securityContext":{"supplementalGroups":[5,0]}}""", "spec.moverPod.securityContext.supplementalGroups[1] is 0 (root)" },
        { """{"securityContext":{"runAsUser":-1}}""", "spec.moverPod.securityContext.runAsUser must not be negative" },
        { """{"securityContext":{"privileged":true}}""", "spec.moverPod.securityContext.privileged cannot be set" },
        { """{"securityContext":{"runAsNonRoot":false}}""", "spec.moverPod.securityContext.runAsNonRoot cannot be set" },
        { """{"securityContext":{"fsGroupChangePolicy":"Sometimes"}}""", "fsGroupChangePolicy must be OnRootMismatch or Always" },
        { """{"hostNetwork":true}""", "spec.moverPod.hostNetwork is not a mover pod setting" },
        { """{"podLabels":{"app.kubernetes.io/managed-by":"me"}}""", "spec.moverPod.podLabels sets app.kubernetes.io/managed-by, a key the operator or the job controller sets" },
        { """{"podLabels":{"datamover.a-cup-of.coffee/datamover-uid":"x"}}""", "podLabels sets datamover.a-cup-of.coffee/datamover-uid" },
        { """{"podLabels":{"job-name":"other"}}""", "podLabels sets job-name" },
        { """{"podLabels":{"controller-uid":"x"}}""", "podLabels sets controller-uid" },
        { """{"podAnnotations":{"batch.kubernetes.io/job-tracking":""}}""", "podAnnotations sets batch.kubernetes.io/job-tracking" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void UnsafeSettingsAreRefusedNamingTheField(string json, string expected)
    {
        var settings = JsonSerializer.Deserialize(json, OperatorJsonContext.Default.MoverPodSettings);
        var why = MoverPodSettingsPolicy.For(allowMoverRoot: false).WhyRefused(settings);
        Assert.NotNull(why);
        Assert.Contains(expected, why, StringComparison.Ordinal);
    }

    [Fact]
    public void RootIsAllowedWithTheFlagAndSafeSettingsAlways()
    {
        var root = JsonSerializer.Deserialize("""{"securityContext":{"runAsUser":0,"runAsGroup":0,"fsGroup":0,"supplementalGroups":[0]}}""", OperatorJsonContext.Default.MoverPodSettings)!;
        Assert.Null(MoverPodSettingsPolicy.For(allowMoverRoot: true).WhyRefused(root));
        Assert.Null(MoverPodSettingsPolicy.For(allowMoverRoot: false).WhyRefused(Full));
        Assert.Null(MoverPodSettingsPolicy.For(allowMoverRoot: true).WhyRefused(root with { SecurityContext = root.SecurityContext! with { RunAsUser = 999 } }));
        Assert.NotNull(MoverPodSettingsPolicy.For(allowMoverRoot: true).WhyRefused(JsonSerializer.Deserialize("""{"securityContext":{"privileged":true}}""", OperatorJsonContext.Default.MoverPodSettings)));
    }

    [Fact]
    public void AdmissionRefusesWithPodSettingsNotAllowed()
    {
        var admission = new MoverAdmission(new MoverImagePolicy("example/mover:1.0", []), MoverPodSettingsPolicy.For(allowMoverRoot: false));
        var refusal = admission.Check(null, null, new MoverPodSettings { SecurityContext = new MoverPodSecurityContext { RunAsUser = 0 } });
        Assert.Equal(MoverAdmission.PodSettingsNotAllowed, refusal!.Reason);
        Assert.Null(admission.Check(null, null, Full));
    }

    [Fact]
    public void RestoreAndInspectJobsGetTheSettingsAndOwnershipRestoreStaysRoot()
    {
        var restore = new DataMoverRestore
        {
            ApiVersion = DataMoverResources.ApiVersion,
            Kind = "DataMoverRestore",
            Metadata = new ObjectMeta { Name = "r", Namespace = "default", Uid = "uid-r" },
            Spec = new DataMoverRestoreSpec(),
            Status = new DataMoverRestoreStatus { SecretName = "s", TargetPvc = "t", Path = "p", RequestedFolder = "latest" },
        };
        var (job, _) = RestoreJobBuilder.Build(restore, new RestoreJobPlan("r-restore", MoverImageRef.DefaultImage, TimeSpan.FromHours(1), RestoreOwnership: false, Full));
        var pod = job.Spec!.Template.Spec!;
        Assert.Equal(("backup-irsa", "backup-low", 999L), (pod.ServiceAccountName, pod.PriorityClassName, pod.SecurityContext!.RunAsUser!.Value));
        AssertHardened(pod);

        var (inspect, _) = RestoreInspectJobBuilder.Build(restore, "r-inspect", MoverImageRef.DefaultImage, TimeSpan.FromHours(1), Full);
        Assert.Equal(("backup-irsa", 999L), (inspect.Spec!.Template.Spec!.ServiceAccountName, inspect.Spec.Template.Spec.SecurityContext!.RunAsUser!.Value));

        var (owners, _) = RestoreJobBuilder.Build(restore, new RestoreJobPlan("r-restore", MoverImageRef.DefaultImage, TimeSpan.FromHours(1), RestoreOwnership: true, Full));
        var ownersPod = owners.Spec!.Template.Spec!;
        Assert.Equal(0, ownersPod.SecurityContext!.RunAsUser);
        Assert.Null(ownersPod.SecurityContext.FsGroup);
        Assert.Equal("linux", ownersPod.NodeSelector!["kubernetes.io/os"]);
    }

    [Fact]
    public void TheDefaultsFileIsJsonOfTheSpecShapeAndRefusedWhenUnsafe()
    {
        var dir = Directory.CreateTempSubdirectory("dm-pod-defaults-");
        try
        {
            var good = Path.Combine(dir.FullName, "good.json");
            File.WriteAllText(good, """{"nodeSelector":{"pool":"backup"},"securityContext":{"runAsUser":1000}}""");
            var loaded = MoverPodSettingsFile.Load(good, MoverPodSettingsPolicy.For(allowMoverRoot: false));
            Assert.Equal(("backup", 1000L), (loaded.NodeSelector!["pool"], loaded.SecurityContext!.RunAsUser!.Value));

            var root = Path.Combine(dir.FullName, "root.json");
            File.WriteAllText(root, """{"securityContext":{"runAsUser":0}}""");
            var e = Assert.Throws<InvalidDataException>(() => MoverPodSettingsFile.Load(root, MoverPodSettingsPolicy.For(allowMoverRoot: false)));
            Assert.Contains("mover pod defaults.securityContext.runAsUser is 0 (root)", e.Message, StringComparison.Ordinal);
            Assert.Equal(0, MoverPodSettingsFile.Load(root, MoverPodSettingsPolicy.For(allowMoverRoot: true)).SecurityContext!.RunAsUser);

            var yaml = Path.Combine(dir.FullName, "defaults.yaml");
            File.WriteAllText(yaml, "nodeSelector:\n  pool: backup\n");
            Assert.Contains("defaults.yaml", Assert.Throws<InvalidDataException>(() => MoverPodSettingsFile.Load(yaml, MoverPodSettingsPolicy.For(allowMoverRoot: false))).Message, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task TheFlagsReachTheOperatorOptions()
    {
        var dir = Directory.CreateTempSubdirectory("dm-pod-flags-");
        try
        {
            var file = Path.Combine(dir.FullName, "defaults.json");
            File.WriteAllText(file, """{"priorityClassName":"backup-low","securityContext":{"runAsUser":0}}""");
            Hosting.OperatorOptions? seen = null;
            var root = Hosting.CommandLine.Build((o, _) => { seen = o; return Task.FromResult(0); });
            Assert.Equal(0, await root.Parse(["--mover-pod-defaults", file, "--allow-mover-root"]).InvokeAsync());
            Assert.True(seen!.AllowMoverRoot);
            Assert.Equal("backup-low", seen.MoverPodDefaults!.PriorityClassName);

            // Without --allow-mover-root the same file is refused before the operator starts.
            seen = null;
            var refused = root.Parse(["--mover-pod-defaults", file]);
            Assert.Contains(refused.Errors, e => e.Message.Contains("runAsUser is 0 (root)", StringComparison.Ordinal));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
