using DataMover.Kube.Models;

namespace DataMover.Kube.Runtime;

/// <summary>
/// What the API server last returned for each distinct event (client-go's eventLogger cache), so a repeat can be
/// turned into a count update. Bounded like client-go's LRU; used only by the recorder's single sender.
/// </summary>
internal sealed class EventCorrelationCache
{
    private const int Capacity = 4096;

    private readonly Dictionary<string, LinkedListNode<(string Key, Entry Value)>> _entries = [];
    private readonly LinkedList<(string Key, Entry Value)> _recency = new();

    /// <summary>client-go's getEventKey: source, involved object (without resourceVersion), type, reason, message.</summary>
    public static string KeyOf(Event e)
    {
        var o = e.InvolvedObject ?? new ObjectReference();
        return string.Join(
            '\u0000',
            e.Source?.Component,
            e.Source?.Host,
            o.Kind,
            o.Namespace,
            o.Name,
            o.FieldPath,
            o.Uid,
            o.ApiVersion,
            e.Type,
            e.Reason,
            e.Message);
    }

    public Entry? TryGet(string key)
    {
        if (!_entries.TryGetValue(key, out var node))
        {
            return null;
        }

        _recency.Remove(node);
        _recency.AddFirst(node);
        return node.Value.Value;
    }

    /// <summary>Stores the server's copy of the event.</summary>
    public void Put(string key, Event stored)
    {
        var entry = new Entry(stored.Metadata.Name ?? "", stored.Count ?? 1, stored.FirstTimestamp);
        if (_entries.TryGetValue(key, out var node))
        {
            _recency.Remove(node);
        }
        else if (_entries.Count >= Capacity && _recency.Last is { } oldest)
        {
            _recency.RemoveLast();
            _entries.Remove(oldest.Value.Key);
        }

        _entries[key] = _recency.AddFirst((key, entry));
    }

    /// <summary>The Event that holds the aggregate: its name, count so far and first occurrence.</summary>
    public sealed record Entry(string Name, int Count, DateTimeOffset? FirstTimestamp);
}
