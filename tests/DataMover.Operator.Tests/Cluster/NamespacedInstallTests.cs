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

        await EventuallyAsync(async () => (await DataMovers.GetAsync(Ns, "backup")).Status?.Phase == DataMoverPhase.Completed, "the backup completes");

        var decisions = Fixture.Cluster.AuthorizationsOf(OperatorIdentity.User);
        Assert.NotEmpty(decisions);
        Assert.DoesNotContain(decisions, d => !d.Allowed);
        Assert.DoesNotContain(decisions, d => d.Resource == "datamovers" && string.IsNullOrEmpty(d.Namespace));
    }

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
}
