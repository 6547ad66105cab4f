using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;

namespace DataMover.Operator.Tests.Unit;

public sealed class MoverJobBuilderTests
{
    private static (Job Job, IReadOnlyList<string> Dropped) Build(DataMoverSpec? spec = null, string prefix = "2024-08-06-143052", string? sourceCapacity = null)
    {
        var dm = TestObjects.DataMover(spec: spec);
        return MoverJobBuilder.Build(dm, dm.Spec!, new MoverJobPlan("backup-web-data-mover", "web-app-data-cloned-20240806143052", prefix, MoverImageRef.DefaultImage, TimeSpan.FromHours(2), sourceCapacity));
    }

    [Fact]
    public void JobIsOwnedLabelledAndRetriesTwice()
    {
        var (job, _) = Build();
        Assert.Equal("backup-web-data-mover", job.Metadata.Name);
        Assert.Equal("datamover-operator", job.Metadata.Labels![DataMoverLabels.CreatedBy]);
        Assert.Equal("backup-web-data", job.Metadata.Labels[DataMoverLabels.DataMoverName]);
        var owner = Assert.Single(job.Metadata.OwnerReferences!);
        Assert.True(owner.Controller);
        Assert.True(owner.BlockOwnerDeletion);
        Assert.Equal("DataMover", owner.Kind);
        Assert.Equal(2, job.Spec!.BackoffLimit);
        Assert.Equal("Never", job.Spec.Template.Spec!.RestartPolicy);
        Assert.Equal("datamover-operator", job.Spec.Template.Metadata!.Labels![DataMoverLabels.CreatedBy]);
    }

    [Fact]
    public void JobIsBoundedAndFailsAtOnceOnPermanentMoverErrors()
    {
        var spec = Build().Job.Spec!;
        Assert.Equal(7200, spec.ActiveDeadlineSeconds);
        var rules = spec.PodFailurePolicy!.Rules!;
        var failJob = Assert.Single(rules, r => r.Action == "FailJob");
        Assert.Equal(("mover", "In"), (failJob.OnExitCodes!.ContainerName, failJob.OnExitCodes.Operator));
        Assert.Equal([2, 3], failJob.OnExitCodes.Values);
        var ignore = Assert.Single(rules, r => r.Action == "Ignore");
        Assert.Equal("DisruptionTarget", Assert.Single(ignore.OnPodConditions!).Type);
    }

    [Fact]
    public void PodAndContainerAreLockedDown()
    {
        var pod = Build().Job.Spec!.Template.Spec!;
        Assert.False(pod.AutomountServiceAccountToken);
        Assert.Equal("datamover-mover", pod.ServiceAccountName);
        Assert.True(pod.SecurityContext!.RunAsNonRoot);
        Assert.Equal(65534, pod.SecurityContext.RunAsUser);
        Assert.Equal(65534, pod.SecurityContext.RunAsGroup);
        Assert.Equal(65534, pod.SecurityContext.FsGroup);
        Assert.Equal("RuntimeDefault", pod.SecurityContext.SeccompProfile!.Type);
        var c = Assert.Single(pod.Containers);
        Assert.True(c.SecurityContext!.ReadOnlyRootFilesystem);
        Assert.False(c.SecurityContext.AllowPrivilegeEscalation);
        Assert.True(c.SecurityContext.RunAsNonRoot);
        Assert.Equal(["ALL"], c.SecurityContext.Capabilities!.Drop!);
        Assert.Equal("RuntimeDefault", c.SecurityContext.SeccompProfile!.Type);
        Assert.Equal("FallbackToLogsOnError", c.TerminationMessagePolicy);
        Assert.Equal("/dev/termination-log", c.TerminationMessagePath);
    }

    [Fact]
    public void CloneIsMountedAtDataAndConfigIsAnEmptyDir()
    {
        var pod = Build().Job.Spec!.Template.Spec!;
        var c = pod.Containers[0];
        var data = c.VolumeMounts!.Single(m => m.MountPath == "/data");
        var config = c.VolumeMounts!.Single(m => m.MountPath == "/config");
        Assert.Equal("web-app-data-cloned-20240806143052", pod.Volumes!.Single(v => v.Name == data.Name).PersistentVolumeClaim!.ClaimName);
        Assert.NotNull(pod.Volumes!.Single(v => v.Name == config.Name).EmptyDir);
    }

    [Fact]
    public void OperatorVariablesThenAllowedAdditionalEnvThenThePrefixedSecret()
    {
        var (job, dropped) = Build(new DataMoverSpec
        {
            SourcePvc = "web-app-data",
            SecretName = "storage-credentials",
            Path = "team-a",
            AddTimestampPrefix = true,
            AdditionalEnv =
            [
                new EnvVar { Name = "RCLONE_TRANSFERS", Value = "8" },
                new EnvVar { Name = "DATAMOVER_DESTINATION_PREFIX", Value = "elsewhere" },
                new EnvVar { Name = "BASH_ENV", Value = "/tmp/x" },
                new EnvVar { Name = "BUCKET_NAME", ValueFrom = new EnvVarSource { SecretKeyRef = new KeySelector { Name = "other", Key = "bucket" } } },
            ],
        }, sourceCapacity: "10Gi");
        var c = job.Spec!.Template.Spec!.Containers[0];
        Assert.Equal(
            ["MOVER_MODE", "DATAMOVER_KIND", "DATAMOVER_NAME", "DATAMOVER_NAMESPACE", "DATAMOVER_UID", "DATAMOVER_PATH", "ADD_TIMESTAMP_PREFIX",
             "DATAMOVER_DESTINATION_PREFIX", "DATAMOVER_SOURCE_PVC", "DATAMOVER_SOURCE_CAPACITY", "HOME", "RCLONE_TRANSFERS", "BUCKET_NAME"],
            c.Env!.Select(e => e.Name));
        string? Value(string name) => c.Env!.Single(e => e.Name == name).Value;
        Assert.Equal("backup", Value("MOVER_MODE"));
        Assert.Equal("DataMover", Value("DATAMOVER_KIND"));
        Assert.Equal("backup-web-data", Value("DATAMOVER_NAME"));
        Assert.Equal("default", Value("DATAMOVER_NAMESPACE"));
        Assert.Equal("0b5e7c1a-1111-2222-3333-444455556666", Value("DATAMOVER_UID"));
        Assert.Equal("team-a", Value("DATAMOVER_PATH"));
        Assert.Equal("true", Value("ADD_TIMESTAMP_PREFIX"));
        Assert.Equal("2024-08-06-143052", Value("DATAMOVER_DESTINATION_PREFIX"));
        Assert.Equal("web-app-data", Value("DATAMOVER_SOURCE_PVC"));
        Assert.Equal("10Gi", Value("DATAMOVER_SOURCE_CAPACITY"));
        Assert.Equal("/config", Value("HOME"));
        Assert.Equal("other", c.Env!.Single(e => e.Name == "BUCKET_NAME").ValueFrom!.SecretKeyRef!.Name);
        Assert.Equal(["DATAMOVER_DESTINATION_PREFIX", "BASH_ENV"], dropped);
        var from = Assert.Single(c.EnvFrom!);
        Assert.Equal("storage-credentials", from.SecretRef!.Name);
        Assert.Equal("DATAMOVER_SECRET_", from.Prefix);
    }

    [Fact]
    public void BucketRootIsAnEmptyPrefix()
    {
        var c = Build(prefix: "").Job.Spec!.Template.Spec!.Containers[0];
        Assert.Equal("false", c.Env!.Single(e => e.Name == "ADD_TIMESTAMP_PREFIX").Value);
        Assert.Equal("", c.Env!.Single(e => e.Name == "DATAMOVER_DESTINATION_PREFIX").Value);
    }

    [Theory]
    [InlineData(null, null, null, "ghcr.io/datamover-operator/rclone-mover:0.1.0", "IfNotPresent")]
    [InlineData("my.registry:5000/mover", null, null, "my.registry:5000/mover:0.1.0", "IfNotPresent")]
    [InlineData(null, "0.2.0", "Always", "ghcr.io/datamover-operator/rclone-mover:0.2.0", "Always")]
    [InlineData("r/m", "sha256:abc", "Never", "r/m@sha256:abc", "Never")]
    public void ImageFallsBackPerField(string? repository, string? tag, string? policy, string image, string pullPolicy)
    {
        var spec = new DataMoverSpec { SourcePvc = "s", SecretName = "x", Image = new MoverImage { Repository = repository, Tag = tag, PullPolicy = policy } };
        var c = Build(spec).Job.Spec!.Template.Spec!.Containers[0];
        Assert.Equal(image, c.Image);
        Assert.Equal(pullPolicy, c.ImagePullPolicy);
    }

    [Fact]
    public void DefaultImageWithARegistryPortAndNoTag() =>
        Assert.Equal(("localhost:5000/mover", (string?)null), MoverImageRef.Split("localhost:5000/mover"));
}
