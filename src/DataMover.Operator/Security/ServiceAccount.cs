using DataMover.Kube.Models;

namespace DataMover.Operator.Security;

/// <summary>core/v1 ServiceAccount, with the one field the operator sets (the Kube library does not model it).</summary>
public sealed record ServiceAccount : KubeObject
{
    public bool? AutomountServiceAccountToken { get; init; }
}
