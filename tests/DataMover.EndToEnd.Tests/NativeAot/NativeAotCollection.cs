namespace DataMover.EndToEnd.Tests.NativeAot;

/// <summary>
/// Runs alone, after the parallel classes: the Native AOT publish keeps both cores busy for a minute or two, and the
/// other classes' movers and deadlines should not share them with it.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeAotCollection : ICollectionFixture<NativeAotClusterFixture>
{
    public const string Name = "Native AOT operator";
}
