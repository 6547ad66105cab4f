using System.Collections.Concurrent;
using DataMover.Kube.Models;

namespace DataMover.Operator.Controllers;

/// <summary>
/// The objects status writes returned, kept until the informer shows them. A reconcile woken by another object's
/// event (the clone binding) often runs before the informer has delivered the operator's own last write: computed
/// from that older copy, its write would only earn a 409 Conflict and a retry with backoff. Any doubt falls back to
/// the cache, and a conflict forgets the object, so this can only spare a conflict, never hide a change.
/// </summary>
internal sealed class WrittenObjects<T> where T : KubeObject
{
    private readonly ConcurrentDictionary<string, T> _written = new(StringComparer.Ordinal);

    public void Remember(T written) => _written[written.Key()] = written;

    public void Forget(string key) => _written.TryRemove(key, out _);

    /// <summary>The newer of <paramref name="cached"/> and what was last written under <paramref name="key"/>.</summary>
    public T? Freshest(string key, T? cached)
    {
        if (!_written.TryGetValue(key, out var written))
        {
            return cached;
        }

        if (cached is null || cached.Metadata.Uid != written.Metadata.Uid || !IsOlder(cached.Metadata.ResourceVersion, written.Metadata.ResourceVersion))
        {
            // Deleted, replaced, or the informer has caught up (or the versions cannot be compared): the cache knows best.
            Forget(key);
            return cached;
        }

        return written;
    }

    /// <summary>
    /// resourceVersions are opaque to clients, but the API server's (etcd's revision) are increasing integers; only
    /// when both are is one taken as older, and a wrong guess costs no more than the conflict it meant to spare.
    /// </summary>
    private static bool IsOlder(string? cached, string? written) =>
        ulong.TryParse(cached, out var c) && ulong.TryParse(written, out var w) && c < w;
}
