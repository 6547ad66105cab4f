using DataMover.Operator.Tests.Cluster;
using DataMover.Sandbox.Hosting;

namespace DataMover.Operator.Tests.Snapshots;

/// <summary>The full cluster without the external-snapshotter CRDs (<c>/apis/snapshot.storage.k8s.io</c> is 404).</summary>
public sealed class NoSnapshotApiClusterFixture : ClusterFixture
{
    protected override SandboxOptions ConfigureSandbox(SandboxOptions options)
    {
        options.InstallSnapshotCrds = false;
        return options;
    }
}

[CollectionDefinition(Name)]
public sealed class NoSnapshotApiCollection : ICollectionFixture<NoSnapshotApiClusterFixture>
{
    public const string Name = "no-snapshot-api";
}
