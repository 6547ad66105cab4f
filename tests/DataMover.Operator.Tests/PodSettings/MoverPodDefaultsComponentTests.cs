using DataMover.Operator.Api;
using DataMover.Operator.Security;

namespace DataMover.Operator.Tests.PodSettings;

/// <summary>deploy/components/mover-pod-defaults, rendered by kubectl's kustomize over deploy/ as an overlay would.</summary>
public sealed class MoverPodDefaultsComponentTests
{
    [Fact]
    public async Task TheComponentMountsTheDefaultsAndPointsTheOperatorAtThem()
    {
        var deploy = Path.GetDirectoryName(Sandbox.SandboxFixture.RepoFile("deploy/kustomization.yaml"))!;
        var overlay = Directory.CreateTempSubdirectory("dm-overlay-");
        try
        {
            var relative = Path.GetRelativePath(overlay.FullName, deploy).Replace('\\', '/');
            await File.WriteAllTextAsync(Path.Combine(overlay.FullName, "kustomization.yaml"),
                $"resources: [{relative}]\ncomponents: [{relative}/components/mover-pod-defaults]\n");
            var rendered = await Support.Kubectl.RunAsync("/dev/null", "kustomize", overlay.FullName);

            Assert.Contains("name: DATAMOVER_MOVER_POD_DEFAULTS", rendered, StringComparison.Ordinal);
            Assert.Contains("value: /etc/datamover/mover-pod-defaults/mover-pod-defaults.json", rendered, StringComparison.Ordinal);
            Assert.Contains("mountPath: /etc/datamover/mover-pod-defaults", rendered, StringComparison.Ordinal);
            Assert.Contains("mover-pod-defaults.json: |", rendered, StringComparison.Ordinal);
            // The Deployment names the ConfigMap by its hashed name, so a changed file rolls the operator.
            var hashed = rendered.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("name: datamover-mover-pod-defaults-", StringComparison.Ordinal));
            Assert.True(rendered.Split(hashed).Length > 2, $"{hashed} is not referenced by the Deployment");
        }
        finally
        {
            overlay.Delete(recursive: true);
        }
    }

    [Fact]
    public void TheShippedDefaultsFilePassesThePolicy()
    {
        var settings = MoverPodSettingsFile.Load(Sandbox.SandboxFixture.RepoFile("deploy/components/mover-pod-defaults/mover-pod-defaults.json"), MoverPodSettingsPolicy.For(allowMoverRoot: false));
        Assert.NotNull(settings.Resources);
    }
}
