using DataMover.Kube.Client;

namespace DataMover.Bench;

/// <summary>The API resources the bench uses beyond the built-in ones.</summary>
internal static class BenchResources
{
    public static ResourceType<BenchDataMover> DataMovers { get; } =
        new("datamover.a-cup-of.coffee", "v1alpha1", "datamovers", "DataMover", true, BenchJsonContext.Default.BenchDataMover, BenchJsonContext.Default.KubeListBenchDataMover);
}
