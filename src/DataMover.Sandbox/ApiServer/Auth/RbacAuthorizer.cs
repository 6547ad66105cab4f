namespace DataMover.Sandbox.ApiServer.Auth;

/// <summary>
/// kube-apiserver's authorization chain as the sandbox runs it: the system:masters privileged-group authorizer, then
/// RBAC (plugin/pkg/auth/authorizer/rbac) over an index rebuilt only after RBAC objects change.
/// </summary>
internal sealed class RbacAuthorizer
{
    private readonly ResourceStore _store;
    private RbacSnapshot? _snapshot;

    public RbacAuthorizer(ResourceStore store) => _store = store;

    /// <summary>Called (under the store lock) after a Role, ClusterRole or binding changed.</summary>
    public void Invalidate() => Volatile.Write(ref _snapshot, null);

    /// <summary>Decisions taken for real requests, for tests.</summary>
    public AuthorizationAudit Audit { get; } = new();

    /// <summary>Authorizes a request the user really makes (not a review of one), and records the decision.</summary>
    public AuthorizationDecision AuthorizeRequest(RequestAttributes attributes)
    {
        var decision = Authorize(attributes);
        Audit.Record(attributes, decision);
        return decision;
    }

    public AuthorizationDecision Authorize(RequestAttributes attributes)
    {
        var user = attributes.User;
        if (user.IsPrivileged)
        {
            return new AuthorizationDecision(true, "");
        }

        var snapshot = Current();
        List<string>? errors = null;
        var ns = attributes.Namespace;
        if (Visit(snapshot.Cluster, ('U', user.Name), attributes, ref errors) is { } allowed)
        {
            return allowed;
        }

        foreach (var group in user.Groups)
        {
            if (Visit(snapshot.Cluster, ('G', group), attributes, ref errors) is { } byGroup)
            {
                return byGroup;
            }
        }

        if (ns.Length > 0)
        {
            if (Visit(snapshot.Namespaced, (ns, 'U', user.Name), attributes, ref errors) is { } inNamespace)
            {
                return inNamespace;
            }

            foreach (var group in user.Groups)
            {
                if (Visit(snapshot.Namespaced, (ns, 'G', group), attributes, ref errors) is { } byGroupInNamespace)
                {
                    return byGroupInNamespace;
                }
            }
        }

        // RBACAuthorizer.Authorize: no opinion; resolution errors (missing roles) become the reason.
        var reason = errors is null ? "" : "RBAC: " + (errors.Count == 1 ? errors[0] : "[" + string.Join(", ", errors) + "]");
        return new AuthorizationDecision(false, reason);
    }

    /// <summary>Every rule that applies to the user in a namespace (cluster-wide ones included), with resolution errors.</summary>
    public (List<PolicyRule> Rules, List<string> Errors) RulesFor(UserInfo user, string ns)
    {
        var snapshot = Current();
        var rules = new List<PolicyRule>();
        var errors = new List<string>();
        void Collect(List<RbacGrant>? grants)
        {
            foreach (var grant in grants ?? [])
            {
                if (grant.Error is { } e)
                {
                    errors.Add(e);
                }

                rules.AddRange(grant.Rules);
            }
        }

        Collect(snapshot.Cluster.GetValueOrDefault(('U', user.Name)));
        foreach (var group in user.Groups)
        {
            Collect(snapshot.Cluster.GetValueOrDefault(('G', group)));
        }

        if (ns.Length > 0)
        {
            Collect(snapshot.Namespaced.GetValueOrDefault((ns, 'U', user.Name)));
            foreach (var group in user.Groups)
            {
                Collect(snapshot.Namespaced.GetValueOrDefault((ns, 'G', group)));
            }
        }

        return (rules, errors);
    }

    private static AuthorizationDecision? Visit<TKey>(Dictionary<TKey, List<RbacGrant>> index, TKey key, RequestAttributes attributes, ref List<string>? errors)
        where TKey : notnull
    {
        if (!index.TryGetValue(key, out var grants))
        {
            return null;
        }

        foreach (var grant in grants)
        {
            if (grant.Error is { } error)
            {
                (errors ??= []).Add(error);
                continue;
            }

            foreach (var rule in grant.Rules)
            {
                if (rule.Allows(attributes))
                {
                    return new AuthorizationDecision(true, "RBAC: allowed by " + grant.Source);
                }
            }
        }

        return null;
    }

    private RbacSnapshot Current()
    {
        var snapshot = Volatile.Read(ref _snapshot);
        if (snapshot is not null)
        {
            return snapshot;
        }

        lock (_store.Gate)
        {
            snapshot = _snapshot ?? RbacSnapshot.Build(_store);
            Volatile.Write(ref _snapshot, snapshot);
            return snapshot;
        }
    }
}
