using DataMover.Kube.Models;

namespace DataMover.Bench;

/// <summary>
/// The DataMover fields the bench writes and reads. Its own record rather than the operator's: the bench measures the
/// operator from outside, as a user would, and must not depend on its internals.
/// </summary>
internal sealed record BenchDataMover : KubeObject
{
    public BenchDataMoverSpec? Spec { get; init; }

    public BenchDataMoverStatus? Status { get; init; }
}
