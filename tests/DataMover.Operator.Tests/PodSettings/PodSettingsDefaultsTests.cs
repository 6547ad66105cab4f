using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;
using DataMover.Operator.Tests.Cluster;

namespace DataMover.Operator.Tests.PodSettings;

/// <summary>
/// The operator run with a --mover-pod-defaults file (read as the flag reads it) and --allow-mover-root: defaults
/// reach every mover pod, an object's own settings win field by field, and root runs only because it is allowed.
/// </summary>
[Collection(PodDefaultsClusterCollection.Name)]
public sealed class PodSettingsDefaultsTests(PodDefaultsClusterFixture fixture) : ClusterTestBase(fixture)
{
    [Fact]
    public async Task TheDefaultsApplyAndTheObjectsSettingsWin()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SourceAsync(ns, "web-data");
        await SecretAsync(ns, "storage-credentials");
        await CreateAsync(ns, "defaults-only", new DataMoverSpec { SourcePvc = "web-data", SecretName = "storage-credentials" });
        await CreateAsync(ns, "overridden", new DataMoverSpec
        {
            SourcePvc = "web-data",
            SecretName = "storage-credentials",
            MoverPod = new MoverPodSettings
            {
                Resources = new ResourceRequirements { Requests = new Dictionary<string, string> { ["cpu"] = "200m" } },
                PodLabels = new Dictionary<string, string> { ["team"] = "web" },
                SecurityContext = new MoverPodSecurityContext { RunAsUser = 1000 },
            },
        });
        await PhaseAsync(ns, "defaults-only", DataMoverPhase.Completed);
        await PhaseAsync(ns, "overridden", DataMoverPhase.Completed);

        var plain = (await Jobs.GetAsync(ns, "defaults-only-mover")).Spec!.Template;
        Assert.Equal(new Dictionary<string, string> { ["cpu"] = "10m", ["memory"] = "32Mi" }, plain.Spec!.Containers[0].Resources!.Requests);
        Assert.Equal("linux", plain.Spec.NodeSelector!["kubernetes.io/os"]);
        Assert.Equal(("platform", "backup"), (plain.Metadata!.Labels!["team"], plain.Metadata.Labels["cost-center"]));
        Assert.Equal((2000L, 65534L), (plain.Spec.SecurityContext!.RunAsUser!.Value, plain.Spec.SecurityContext.FsGroup!.Value));

        var own = (await Jobs.GetAsync(ns, "overridden-mover")).Spec!.Template;
        Assert.Equal(new Dictionary<string, string> { ["cpu"] = "200m", ["memory"] = "32Mi" }, own.Spec!.Containers[0].Resources!.Requests);
        Assert.Equal("linux", own.Spec.NodeSelector!["kubernetes.io/os"]);
        Assert.Equal(("web", "backup"), (own.Metadata!.Labels!["team"], own.Metadata.Labels["cost-center"]));
        Assert.Equal(1000, own.Spec.SecurityContext!.RunAsUser);
        Assert.True(own.Spec.SecurityContext.RunAsNonRoot);
    }

    [Fact]
    public async Task RootRunsWhenTheOperatorAllowsIt()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SourceAsync(ns, "web-data");
        await SecretAsync(ns, "storage-credentials");
        await CreateAsync(ns, "as-root", new DataMoverSpec
        {
            SourcePvc = "web-data",
            SecretName = "storage-credentials",
            MoverPod = new MoverPodSettings { SecurityContext = new MoverPodSecurityContext { RunAsUser = 0, RunAsGroup = 0 } },
        });
        await PhaseAsync(ns, "as-root", DataMoverPhase.Completed);
        var pod = (await Jobs.GetAsync(ns, "as-root-mover")).Spec!.Template.Spec!;
        Assert.Equal((0L, false), (pod.SecurityContext!.RunAsUser!.Value, pod.SecurityContext.RunAsNonRoot!.Value));
        var c = pod.Containers[0].SecurityContext!;
        Assert.Equal((true, false), (c.ReadOnlyRootFilesystem!.Value, c.AllowPrivilegeEscalation!.Value));
        Assert.Equal(["ALL"], c.Capabilities!.Drop!);
        Assert.Null(c.Capabilities.Add);
    }
}

/// <summary>The full cluster with the operator run with a defaults file and --allow-mover-root.</summary>
public sealed class PodDefaultsClusterFixture : ClusterFixture
{
    private const string DefaultsJson = """
        {
          "resources": {"requests": {"cpu": "10m", "memory": "32Mi"}},
          "nodeSelector": {"kubernetes.io/os": "linux"},
          "podLabels": {"team": "platform", "cost-center": "backup"},
          "securityContext": {"runAsUser": 2000}
        }
        """;

    protected override Hosting.OperatorOptions Configure(Hosting.OperatorOptions options)
    {
        var file = Path.Combine(Path.GetTempPath(), $"dm-mover-pod-defaults-{Guid.NewGuid():n}.json");
        File.WriteAllText(file, DefaultsJson);
        try
        {
            var policy = Security.MoverPodSettingsPolicy.For(allowMoverRoot: true);
            return options with { MoverPodDefaults = MoverPodSettingsFile.Load(file, policy), AllowMoverRoot = true };
        }
        finally
        {
            File.Delete(file);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PodDefaultsClusterCollection : ICollectionFixture<PodDefaultsClusterFixture>
{
    public const string Name = "pod-defaults-cluster";
}
