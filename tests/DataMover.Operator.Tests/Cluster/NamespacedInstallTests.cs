using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;
using DataMover.Operator.Tests.Support;

namespace DataMover.Operator.Tests.Cluster;

/// <summary>
/// deploy/components/namespaced, rendered with kubectl kustomize and applied: the operator, under its ServiceAccount
/// and the component's Role, backs up a PVC in the watched namespace without a single refusal, and may not see
/// DataMovers anywhere else.
/// </summary>
[Collection(NamespacedClusterCollection.Name)]
public sealed class NamespacedInstallTests(NamespacedClusterFixture fixture) : ClusterTestBase(fixture)
{
    private const string Ns = NamespacedClusterFixture.Watched;

    [Fact]
    public async Task A_backup_in_the_watched_namespace_completes_with_nothing_refused()
    {
        Assert.Equal(Ns, fixture.RenderedNamespace);
        await SourceAsync(Ns, "data");
        await SecretAsync(Ns, "storage-credentials");
        await DataMovers.CreateAsync(new Api.DataMover
        {
            Metadata = new ObjectMeta { Name = "backup", Namespace = Ns },
            Spec = new DataMoverSpec { SourcePvc = "data", SecretName = "storage-credentials", DeletePvcAfterBackup = true },
        });

        try
        {
            await EventuallyAsync(async () => (await DataMovers.GetAsync(Ns, "backup")).Status?.Phase == DataMoverPhase.Completed, "the backup completes");
        }
        catch (Exception e) when (Refused() is { Length: > 0 } refused)
        {
            // A rule the component loses shows as the operator's 403s, whatever the step that then timed out.
            throw new Xunit.Sdk.XunitException($"{e.Message}\nrefused to the operator (403): {refused}");
        }

        var decisions = Fixture.Cluster.AuthorizationsOf(OperatorIdentity.User);
        Assert.NotEmpty(decisions);
        Assert.DoesNotContain(decisions, d => !d.Allowed);
        Assert.DoesNotContain(decisions, d => d.Resource == "datamovers" && string.IsNullOrEmpty(d.Namespace));
    }

    private string Refused() => string.Join(", ", Fixture.Cluster.AuthorizationsOf(OperatorIdentity.User)
        .Where(d => !d.Allowed).Select(d => $"{d.Verb} {d.Resource}.{d.ApiGroup} in '{d.Namespace}'").Distinct());

    [Fact]
    public async Task The_operator_may_not_list_DataMovers_cluster_wide_or_in_another_namespace_nor_read_secrets()
    {
        var other = await Fixture.NewNamespaceAsync();
        var admin = Fixture.Cluster.KubeconfigPath;

        async Task<bool> CanAsync(params string[] args) =>
            (await Kubectl.TryRunAsync(admin, ["auth", "can-i", .. args, "--as", OperatorIdentity.User])).ExitCode == 0;

        Assert.True(await CanAsync("list", "datamovers.datamover.a-cup-of.coffee", "-n", Ns));
        Assert.True(await CanAsync("create", "persistentvolumeclaims", "-n", Ns));
        Assert.True(await CanAsync("watch", "storageclasses.storage.k8s.io"));
        Assert.False(await CanAsync("list", "datamovers.datamover.a-cup-of.coffee", "--all-namespaces"));
        Assert.False(await CanAsync("list", "datamovers.datamover.a-cup-of.coffee", "-n", other));
        Assert.False(await CanAsync("create", "jobs.batch", "-n", other));
        Assert.False(await CanAsync("get", "secrets", "-n", Ns));
        Assert.False(await CanAsync("get", "storageclasses.storage.k8s.io"));
    }

    [Fact]
    public async Task The_shipped_overlay_renders_a_Role_in_its_namespace_and_no_manager_ClusterRole()
    {
        var rendered = await Kubectl.RunAsync(Fixture.Cluster.KubeconfigPath, "kustomize", Sandbox.SandboxFixture.RepoFile("deploy/overlays/namespaced"));

        Assert.Contains("kind: Role\nmetadata:\n  name: datamover-operator-manager-role\n  namespace: default\n", rendered, StringComparison.Ordinal);
        Assert.Contains("kind: RoleBinding\nmetadata:\n  name: datamover-operator-manager-rolebinding\n  namespace: default\n", rendered, StringComparison.Ordinal);
        Assert.DoesNotContain("kind: ClusterRole\nmetadata:\n  name: datamover-operator-manager-role\n", rendered, StringComparison.Ordinal);
        Assert.Contains("- name: DATAMOVER_NAMESPACE\n          value: default\n", rendered, StringComparison.Ordinal);
        Assert.DoesNotContain("datamover-watch-namespace", rendered, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_network_policy_component_admits_only_the_metrics_port()
    {
        var overlay = Directory.CreateTempSubdirectory("datamover-network-policy-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(overlay, "kustomization.yaml"), $"""
                resources:
                  - {Path.GetRelativePath(overlay, Sandbox.SandboxFixture.RepoFile("deploy/manager"))}
                components:
                  - {Path.GetRelativePath(overlay, Sandbox.SandboxFixture.RepoFile("deploy/components/network-policy"))}
                """);
            var rendered = await Kubectl.RunAsync(Fixture.Cluster.KubeconfigPath, "kustomize", overlay);

            var policy = rendered.Split("\n---\n").Single(d => d.Contains("kind: NetworkPolicy", StringComparison.Ordinal));
            Assert.Contains("- port: metrics", policy, StringComparison.Ordinal);
            Assert.Contains("app.kubernetes.io/component: manager", policy, StringComparison.Ordinal);
            Assert.Contains("- name: metrics", rendered, StringComparison.Ordinal); // the container port the policy names
        }
        finally
        {
            Directory.Delete(overlay, recursive: true);
        }
    }
}
