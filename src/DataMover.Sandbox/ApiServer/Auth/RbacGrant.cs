namespace DataMover.Sandbox.ApiServer.Auth;

/// <summary>
/// The rules one binding gives one subject, with the describer text the RBAC authorizer reports
/// (`ClusterRoleBinding "b" of ClusterRole "r" to User "u"`), or the resolution error when the role is missing.
/// </summary>
internal sealed record RbacGrant(IReadOnlyList<PolicyRule> Rules, string Source, string? Error);
