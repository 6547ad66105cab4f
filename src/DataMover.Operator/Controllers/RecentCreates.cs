using System.Collections.Concurrent;
using DataMover.Kube.Models;

namespace DataMover.Operator.Controllers;

/// <summary>
/// The objects the API server created for us in the last <c>window</c>, until the informer shows them. A reconcile
/// woken before the informer has the create would otherwise send it again, only to get 409 AlreadyExists.
/// </summary>
internal sealed class RecentCreates<T>(TimeSpan window) where T : KubeObject
{
    private readonly ConcurrentDictionary<string, (T Created, long At)> _created = new(StringComparer.Ordinal);

    public void Add(T created)
    {
        var now = Environment.TickCount64;
        foreach (var (key, entry) in _created)
        {
            if (now - entry.At > window.TotalMilliseconds)
            {
                _created.TryRemove(key, out _);
            }
        }

        _created[created.Key()] = (created, now);
    }

    /// <summary>The object created under <paramref name="key"/> moments ago, if the informer has not shown it yet.</summary>
    public T? Find(string key) =>
        _created.TryGetValue(key, out var entry) && Environment.TickCount64 - entry.At <= window.TotalMilliseconds ? entry.Created : null;

    /// <summary>The informer has it: the cache knows best from now on.</summary>
    public void Forget(string key) => _created.TryRemove(key, out _);
}
