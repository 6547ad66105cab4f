using System.Globalization;
using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer;

/// <summary>
/// The in-memory "etcd": objects per resource, one global resourceVersion counter, and change
/// publication to the <see cref="WatchHub"/>. Callers hold <see cref="Gate"/> for a whole
/// read-check-write so every write is atomic and versions are strictly ordered.
/// </summary>
internal sealed class ResourceStore
{
    private readonly Dictionary<string, SortedDictionary<string, JsonObject>> _buckets = new(StringComparer.Ordinal);
    private long _rv = 1;

    // Completed and replaced on every write, so readers can wait for a version without polling.
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The watch cache's blockTimeout: how long a read waits for a version the store has not reached.</summary>
    public static readonly TimeSpan BlockTimeout = TimeSpan.FromSeconds(3);

    public ResourceStore(int historyLimit) => Hub = new WatchHub(historyLimit);

    public object Gate { get; } = new();

    public WatchHub Hub { get; }

    public long CurrentRv => _rv;

    /// <summary>
    /// The watch cache's waitUntilFreshAndBlock: waits (without the lock held) until the store has reached
    /// <paramref name="rv"/> or <paramref name="timeout"/> has passed; true when it has reached it.
    /// </summary>
    public async Task<bool> WaitUntilFreshAsync(long rv, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            Task changed;
            lock (Gate)
            {
                if (_rv >= rv)
                {
                    return true;
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                lock (Gate)
                {
                    return _rv >= rv;
                }
            }
        }
    }

    public static string ObjectKey(string? ns, string name) => (ns ?? "") + "/" + name;

    public JsonObject? Get(string storageKey, string? ns, string name) =>
        _buckets.TryGetValue(storageKey, out var bucket) && bucket.TryGetValue(ObjectKey(ns, name), out var obj) ? obj : null;

    /// <summary>Objects in key order (namespace, then name), like an etcd range read.</summary>
    public IEnumerable<KeyValuePair<string, JsonObject>> List(string storageKey, string? ns)
    {
        if (!_buckets.TryGetValue(storageKey, out var bucket))
        {
            return [];
        }

        return ns is null ? bucket : bucket.Where(kv => kv.Key.StartsWith(ns + "/", StringComparison.Ordinal));
    }

    public int Count(string storageKey) => _buckets.TryGetValue(storageKey, out var b) ? b.Count : 0;

    /// <summary>Stores a create or update, stamping the next resourceVersion; returns the frozen stored object.</summary>
    public JsonObject Put(string storageKey, JsonObject obj, JsonObject? old)
    {
        var bucket = Bucket(storageKey);
        var startRv = _rv;
        _rv++;
        JsonPaths.Meta(obj)["resourceVersion"] = _rv.ToString(CultureInfo.InvariantCulture);
        bucket[ObjectKey(JsonPaths.Namespace(obj), JsonPaths.Name(obj))] = obj;
        Hub.Publish(storageKey, new StoredEvent(old is null ? "ADDED" : "MODIFIED", obj, old, _rv), startRv);
        SignalChanged();
        return obj;
    }

    /// <summary>Removes an object; the DELETED event carries a fresh resourceVersion as the real server's does.</summary>
    public JsonObject Remove(string storageKey, JsonObject current)
    {
        var bucket = Bucket(storageKey);
        var startRv = _rv;
        _rv++;
        var deleted = JsonPaths.Clone(current);
        JsonPaths.Meta(deleted)["resourceVersion"] = _rv.ToString(CultureInfo.InvariantCulture);
        bucket.Remove(ObjectKey(JsonPaths.Namespace(current), JsonPaths.Name(current)));
        Hub.Publish(storageKey, new StoredEvent("DELETED", deleted, current, _rv), startRv);
        SignalChanged();
        return deleted;
    }

    /// <summary>
    /// The objects as they were at <paramref name="rv"/>, rebuilt by undoing later history,
    /// or null when that version is older than the kept history (the real server answers 410).
    /// </summary>
    public List<KeyValuePair<string, JsonObject>>? SnapshotAt(string storageKey, string? ns, long rv)
    {
        var events = Since(storageKey, rv, out _);
        if (events is null)
        {
            return null;
        }

        var state = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var (key, value) in List(storageKey, null))
        {
            state[key] = value;
        }

        foreach (var e in events.Reverse())
        {
            var key = ObjectKey(JsonPaths.Namespace(e.Object), JsonPaths.Name(e.Object));
            if (e.Type == "ADDED")
            {
                state.Remove(key);
            }
            else if (e.OldObject is not null)
            {
                state[key] = e.OldObject;
            }
        }

        return state.Where(kv => ns is null || kv.Key.StartsWith(ns + "/", StringComparison.Ordinal)).ToList();
    }

    public IEnumerable<StoredEvent>? Since(string storageKey, long fromRv, out long oldest) =>
        Hub.Since(storageKey, fromRv, _rv, out oldest);

    private void SignalChanged()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

    private SortedDictionary<string, JsonObject> Bucket(string storageKey)
    {
        if (!_buckets.TryGetValue(storageKey, out var bucket))
        {
            bucket = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
            _buckets[storageKey] = bucket;
        }

        return bucket;
    }
}
