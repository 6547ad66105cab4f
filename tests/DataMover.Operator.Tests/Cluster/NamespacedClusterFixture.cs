using DataMover.Kube.Client;
using DataMover.Kube.Models;

namespace DataMover.Operator.Tests.Cluster;

/// <summary>
/// The full cluster with the namespaced install (deploy/components/namespaced) in place of deploy/rbac: the operator
/// watches <see cref="Watched"/> only, under a Role there plus the read-only StorageClass ClusterRole.
/// </summary>
public sealed class NamespacedClusterFixture : ClusterFixture
{
    public const string Watched = "team-a";

    /// <summary>The manager's DATAMOVER_NAMESPACE as kustomize rendered it.</summary>
    public string RenderedNamespace { get; private set; } = "";

    protected override Hosting.OperatorOptions Configure(Hosting.OperatorOptions options) => options with { Namespace = RenderedNamespace };

    protected override async Task<string> InstallOperatorIdentityAsync()
    {
        await Client.Resource(KubeResources.Namespaces).CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = Watched } });
        var (kubeconfig, rendered) = await Support.OperatorIdentity.InstallNamespacedAsync(Cluster, Watched);
        RenderedNamespace = rendered;
        return kubeconfig;
    }
}

[CollectionDefinition(Name)]
public sealed class NamespacedClusterCollection : ICollectionFixture<NamespacedClusterFixture>
{
    public const string Name = "namespaced-cluster";
}
