namespace DataMover.Sandbox.ApiServer;

/// <summary>
/// Fans store changes out to watchers and keeps a bounded per-resource history so watches can
/// resume from a resourceVersion; older versions get 410 Gone like the real watch cache.
/// All members are called with the store lock held.
/// </summary>
internal sealed class WatchHub
{
    private readonly Dictionary<string, ResourceHistory> _history = new(StringComparer.Ordinal);
    private readonly List<Watcher> _watchers = [];
    private readonly int _historyLimit;

    public WatchHub(int historyLimit) => _historyLimit = historyLimit;

    public int WatcherCount => _watchers.Count;

    public void Publish(string storageKey, StoredEvent e, long startRv)
    {
        var history = HistoryFor(storageKey, startRv);
        history.Events.Enqueue(e);
        while (history.Events.Count > _historyLimit)
        {
            history.OldestKnown = history.Events.Dequeue().ResourceVersion;
        }

        foreach (var w in _watchers)
        {
            if (w.StorageKey == storageKey)
            {
                w.Offer(e);
            }
        }

        _watchers.RemoveAll(w => w.Overflowed);
    }

    /// <summary>Events after <paramref name="fromRv"/>, or null when that version fell out of the window.</summary>
    public IEnumerable<StoredEvent>? Since(string storageKey, long fromRv, long startRv, out long oldest)
    {
        var history = HistoryFor(storageKey, startRv);
        oldest = history.OldestKnown;
        if (fromRv < history.OldestKnown)
        {
            return null;
        }

        return history.Events.Where(e => e.ResourceVersion > fromRv).ToList();
    }

    public void Add(Watcher watcher) => _watchers.Add(watcher);

    public void Remove(Watcher watcher)
    {
        _watchers.Remove(watcher);
        watcher.Close();
    }

    public void Bookmark(long rv)
    {
        foreach (var w in _watchers)
        {
            if (w.Bookmarks)
            {
                w.Offer(new StoredEvent("BOOKMARK", new System.Text.Json.Nodes.JsonObject(), null, rv));
            }
        }

        _watchers.RemoveAll(w => w.Overflowed);
    }

    public void CloseAll()
    {
        foreach (var w in _watchers)
        {
            w.Close();
        }

        _watchers.Clear();
    }

    public void CloseFor(string storageKey)
    {
        foreach (var w in _watchers.Where(w => w.StorageKey == storageKey).ToList())
        {
            Remove(w);
        }
    }

    private ResourceHistory HistoryFor(string storageKey, long startRv)
    {
        if (!_history.TryGetValue(storageKey, out var history))
        {
            // The store starts empty, so until something is evicted every change since start is known.
            _ = startRv;
            history = new ResourceHistory { OldestKnown = 0 };
            _history[storageKey] = history;
        }

        return history;
    }

    private sealed class ResourceHistory
    {
        public Queue<StoredEvent> Events { get; } = new();

        public long OldestKnown { get; set; }
    }
}
