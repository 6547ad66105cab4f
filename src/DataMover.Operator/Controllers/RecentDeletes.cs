using System.Collections.Concurrent;

namespace DataMover.Operator.Controllers;

/// <summary>
/// The uids of objects whose deletion the API server accepted in the last <c>window</c>. A reconcile that runs before
/// the informer shows a deletion would otherwise send it again, a write that changes nothing.
/// </summary>
internal sealed class RecentDeletes(TimeSpan window)
{
    private readonly ConcurrentDictionary<string, long> _sent = new(StringComparer.Ordinal);

    public void Add(string? uid)
    {
        if (uid is null)
        {
            return;
        }

        var now = Environment.TickCount64;
        foreach (var (old, at) in _sent)
        {
            if (now - at > window.TotalMilliseconds)
            {
                _sent.TryRemove(old, out _);
            }
        }

        _sent[uid] = now;
    }

    public bool Contains(string uid) => _sent.TryGetValue(uid, out var at) && Environment.TickCount64 - at <= window.TotalMilliseconds;
}
