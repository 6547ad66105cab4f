using DataMover.Kube.Models;

namespace DataMover.Operator.Api;

/// <summary>The mover image; unset fields fall back to the operator's default.</summary>
public sealed record MoverImage : KubeModel
{
    public string? Repository { get; init; }
    public string? Tag { get; init; }
    /// <summary>Always, IfNotPresent or Never.</summary>
    public string? PullPolicy { get; init; }
}
