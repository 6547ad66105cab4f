using System.Collections.Concurrent;

namespace DataMover.Sandbox.ApiServer.Auth;

/// <summary>
/// The distinct authorization decisions taken for real requests (and for the admission checks they trigger), per
/// user, as an audit log would show them. Tests read it to prove that a role grants exactly what its user exercised.
/// Reviews (can-i) are not recorded: they ask about a request without making it.
/// </summary>
internal sealed class AuthorizationAudit
{
    private readonly ConcurrentDictionary<AuthorizationRecord, byte> _records = new();

    public void Record(RequestAttributes attributes, AuthorizationDecision decision)
    {
        if (attributes.User.IsPrivileged)
        {
            return;
        }

        _records.TryAdd(new AuthorizationRecord(
            attributes.User.Name,
            attributes.Verb,
            attributes.IsResourceRequest ? attributes.ApiGroup : "",
            attributes.IsResourceRequest ? attributes.CombinedResource : attributes.Path,
            attributes.Namespace,
            decision.Allowed), 0);
    }

    public IReadOnlyList<AuthorizationRecord> Of(string user) => [.. _records.Keys.Where(r => r.User == user)];
}
