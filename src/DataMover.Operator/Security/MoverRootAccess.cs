namespace DataMover.Operator.Security;

/// <summary>Whether spec.moverPod.securityContext may name uid or gid 0 (--allow-mover-root).</summary>
internal enum MoverRootAccess
{
    Refused,
    Allowed,
}
