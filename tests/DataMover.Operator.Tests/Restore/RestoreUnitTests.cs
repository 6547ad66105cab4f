using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;
using DataMover.Operator.Restore;

namespace DataMover.Operator.Tests.Restore;

/// <summary>The restore's pure decisions: path split, spec checks, result check and the Job it builds.</summary>
public sealed class RestoreUnitTests
{
    [Theory]
    [InlineData("latest", "", "latest")]
    [InlineData("team-a/latest", "team-a", "latest")]
    [InlineData("a/b/latest", "a/b", "latest")]
    [InlineData("team-a/2026-11-30-085704", "team-a/2026-11-30-085704", "")]
    [InlineData("team-a", "team-a", "")]
    [InlineData("team-a/latest-ish", "team-a/latest-ish", "")]
    public void PathSplitsIntoPrefixAndFolder(string path, string prefix, string folder)
    {
        Assert.Null(RestorePath.WhyNot(path));
        Assert.Equal((prefix, folder), RestorePath.Split(path));
    }

    [Theory]
    [InlineData("/team-a")]
    [InlineData("team-a/")]
    [InlineData("team-a//x")]
    [InlineData("team-a/../x")]
    [InlineData("./x")]
    [InlineData("..")]
    public void PathsOutsideTheBucketAreRefused(string path) => Assert.NotNull(RestorePath.WhyNot(path));

    [Fact]
    public void SpecNeedsExactlyOneSourceAndOneTargetAndASizeWithoutADataMover()
    {
        var both = new DataMoverRestoreSpec
        {
            Source = new DataMoverRestoreSource { FromDataMover = "backup", SecretName = "s", Path = "latest" },
            Target = new DataMoverRestoreTarget { PvcName = "data", Pvc = new DataMoverRestorePvc { Size = "1Gi" } },
        };
        var problems = RestoreSpecValidator.Problems(both);
        Assert.Contains(problems, p => p.StartsWith("spec.source: set exactly one", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("spec.target: set exactly one", StringComparison.Ordinal));

        var noSize = new DataMoverRestoreSpec
        {
            Source = new DataMoverRestoreSource { SecretName = "s", Path = "team-a/latest" },
            Target = new DataMoverRestoreTarget { Pvc = new DataMoverRestorePvc() },
        };
        // The size comes from the backup's manifest (an inspect Job).
        Assert.Empty(RestoreSpecValidator.Problems(noSize));
        Assert.NotEmpty(RestoreSpecValidator.Problems(noSize with { Target = new DataMoverRestoreTarget { Pvc = new DataMoverRestorePvc { Size = "0" } } }));

        var fromDataMover = noSize with { Source = new DataMoverRestoreSource { FromDataMover = "backup" } };
        Assert.Empty(RestoreSpecValidator.Problems(fromDataMover));
        Assert.NotEmpty(RestoreSpecValidator.Problems(fromDataMover with { Target = new DataMoverRestoreTarget { Pvc = new DataMoverRestorePvc { Size = "lots" } } }));
        Assert.NotEmpty(RestoreSpecValidator.Problems(noSize with { Source = new DataMoverRestoreSource { Path = "team-a/latest" } }));
    }

    [Fact]
    public void OnlyARestoreResultForTheRecordedPathAndFolderIsProof()
    {
        var latest = new DataMoverRestoreStatus { Path = "team-a", RequestedFolder = "latest" };
        var ok = new MoverResult { Kind = MoverResult.ResultKind, Outcome = "Succeeded", Mode = "restore", Path = "team-a", Folder = "2026-11-30-085704" };
        Assert.Null(RestoreResultCheck.WhyNot(ok, latest));
        Assert.NotNull(RestoreResultCheck.WhyNot(null, latest));
        Assert.NotNull(RestoreResultCheck.WhyNot(ok with { Mode = "backup" }, latest));
        Assert.NotNull(RestoreResultCheck.WhyNot(ok with { Path = "team-b" }, latest));
        Assert.NotNull(RestoreResultCheck.WhyNot(ok with { Folder = null }, latest));

        var chosen = latest with { RequestedFolder = "2026-11-29-000000" };
        Assert.NotNull(RestoreResultCheck.WhyNot(ok, chosen));
        Assert.Null(RestoreResultCheck.WhyNot(ok with { Folder = "2026-11-29-000000" }, chosen));
        Assert.Null(MoverResult.Parse("restore complete"));
    }

    [Fact]
    public void TheJobIsTheHardenedMoverUnlessOwnersAreRestored()
    {
        var restore = Restore();
        var (job, _) = RestoreJobBuilder.Build(restore, new RestoreJobPlan("r-restore", MoverImageRef.DefaultImage, TimeSpan.FromHours(1), RestoreOwnership: false));
        var owner = Assert.Single(job.Metadata.OwnerReferences!);
        Assert.Equal(("DataMoverRestore", "r", true), (owner.Kind, owner.Name, owner.Controller));
        Assert.Equal(3600, job.Spec!.ActiveDeadlineSeconds);
        var pod = job.Spec.Template.Spec!;
        Assert.Equal(MoverPodTemplate.NobodyId, pod.Containers[0].SecurityContext!.RunAsUser);
        Assert.Equal(MoverPodTemplate.NobodyId, pod.SecurityContext!.FsGroup);
        Assert.Null(pod.Containers[0].SecurityContext!.Capabilities!.Add);

        var (privileged, _) = RestoreJobBuilder.Build(restore, new RestoreJobPlan("r-restore", MoverImageRef.DefaultImage, TimeSpan.FromHours(1), RestoreOwnership: true));
        var ps = privileged.Spec!.Template.Spec!;
        var cs = ps.Containers[0].SecurityContext!;
        Assert.Equal((0L, false), (cs.RunAsUser!.Value, cs.RunAsNonRoot!.Value));
        Assert.Equal(["CHOWN", "FOWNER", "DAC_OVERRIDE"], cs.Capabilities!.Add!);
        Assert.Equal(["ALL"], cs.Capabilities.Drop!);
        Assert.Equal((true, false, false), (cs.ReadOnlyRootFilesystem!.Value, cs.AllowPrivilegeEscalation!.Value, cs.Privileged!.Value));
        Assert.Null(ps.SecurityContext!.FsGroup);
        Assert.False(ps.AutomountServiceAccountToken);
    }

    [Fact]
    public void TimeoutsTakeTheOperatorsDefaultsAndReportBadFields()
    {
        var resolved = RestoreTimeouts.Resolve(BackupTimeouts.Defaults, new DataMoverRestoreTimeouts { TargetReady = "2m", MoverRun = "soon" }, out var errors);
        Assert.Equal(TimeSpan.FromMinutes(2), resolved.TargetReady);
        Assert.Equal(BackupTimeouts.Defaults.MoverRun, resolved.MoverRun);
        Assert.Equal(BackupTimeouts.Defaults.SourceReady, resolved.SourceReady);
        Assert.Single(errors, e => e.StartsWith("spec.timeouts.moverRun", StringComparison.Ordinal));
    }

    private static DataMoverRestore Restore() => new()
    {
        ApiVersion = DataMoverResources.ApiVersion,
        Kind = "DataMoverRestore",
        Metadata = new ObjectMeta { Name = "r", Namespace = "default", Uid = "9f0e7c1a-1111-2222-3333-444455556666", Generation = 1 },
        Spec = new DataMoverRestoreSpec
        {
            Source = new DataMoverRestoreSource { SecretName = "storage-credentials", Path = "team-a/latest" },
            Target = new DataMoverRestoreTarget { PvcName = "data" },
        },
        Status = new DataMoverRestoreStatus { Path = "team-a", RequestedFolder = "latest", SecretName = "storage-credentials", TargetPvc = "data", JobName = "r-restore" },
    };
}
