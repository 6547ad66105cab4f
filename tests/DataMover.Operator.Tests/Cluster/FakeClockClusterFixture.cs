namespace DataMover.Operator.Tests.Cluster;

/// <summary>The full cluster with the operator on a manual clock, so scheduled times arrive when a test says so.</summary>
public sealed class FakeClockClusterFixture : ClusterFixture
{
    internal FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override TimeProvider Time => Clock;
}

[CollectionDefinition(Name)]
public sealed class FakeClockClusterCollection : ICollectionFixture<FakeClockClusterFixture>
{
    public const string Name = "fake-clock-cluster";
}
