namespace DataMover.Sandbox.ApiServer;

/// <summary>
/// The set of served resources: built-ins registered at start, custom resources added and removed as
/// CRDs come and go. Readers get an immutable snapshot, so lookups never lock.
/// </summary>
internal sealed class ResourceRegistry
{
    private static readonly string[] BuiltinGroupOrder = ["", "apiextensions.k8s.io", "authentication.k8s.io", "authorization.k8s.io", "batch", "coordination.k8s.io", "events.k8s.io", "rbac.authorization.k8s.io", "storage.k8s.io", "snapshot.storage.k8s.io"];
    private readonly object _gate = new();
    private IReadOnlyList<ResourceType> _types = [];

    public IReadOnlyList<ResourceType> All => _types;

    public void Add(ResourceType type)
    {
        lock (_gate)
        {
            _types = [.. _types.Where(t => !(t.Group == type.Group && t.Version == type.Version && t.Plural == type.Plural)), type];
        }
    }

    /// <summary>Replaces every version registered by one CRD.</summary>
    public void ReplaceCustom(string crdName, IEnumerable<ResourceType> types)
    {
        lock (_gate)
        {
            _types = [.. _types.Where(t => t.Custom?.CrdName != crdName), .. types];
        }
    }

    public ResourceType? Find(string group, string version, string plural) =>
        _types.FirstOrDefault(t => t.Group == group && t.Version == version && t.Plural == plural);

    /// <summary>Any version of a group/resource, preferring the storage (first-registered preferred) one.</summary>
    public ResourceType? FindAnyVersion(string group, string plural) =>
        _types.Where(t => t.Group == group && t.Plural == plural).OrderBy(t => VersionPriority.Rank(t.Version)).FirstOrDefault();

    public IEnumerable<ResourceType> ForCrd(string crdName) => _types.Where(t => t.Custom?.CrdName == crdName);

    public IReadOnlyList<(string Group, IReadOnlyList<string> Versions)> Groups()
    {
        var snapshot = _types;
        return snapshot
            .Where(t => t.Group.Length > 0)
            .GroupBy(t => t.Group)
            .OrderBy(g => Array.IndexOf(BuiltinGroupOrder, g.Key) is var i && i >= 0 ? i : BuiltinGroupOrder.Length)
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, (IReadOnlyList<string>)g.Select(t => t.Version).Distinct().OrderBy(VersionPriority.Rank).ToList()))
            .ToList();
    }
}
