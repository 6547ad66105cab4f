using DataMover.Kube.Models;

namespace DataMover.Bench;

/// <summary>The spec fields of a backup the bench creates.</summary>
internal sealed record BenchDataMoverSpec : KubeModel
{
    public string? SourcePvc { get; init; }

    public string? SecretName { get; init; }

    public string? Path { get; init; }

    public bool? AddTimestampPrefix { get; init; }

    public bool? DeletePvcAfterBackup { get; init; }
}
