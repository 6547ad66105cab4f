using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace DataMover.Sandbox.ApiServer;

/// <summary>
/// One open watch: a bounded channel fed by the store without ever blocking the writer.
/// A watcher that falls too far behind is closed, as the real watch cache drops slow watchers;
/// the client must re-list or re-watch from its last resourceVersion.
/// </summary>
internal sealed class Watcher
{
    private readonly Channel<StoredEvent> _channel;
    private readonly Func<JsonObject, bool> _matches;

    public Watcher(string storageKey, string? ns, Func<JsonObject, bool> matches, int capacity, bool bookmarks)
    {
        StorageKey = storageKey;
        Namespace = ns;
        _matches = matches;
        Bookmarks = bookmarks;
        _channel = Channel.CreateBounded<StoredEvent>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public string StorageKey { get; }

    public string? Namespace { get; }

    public bool Bookmarks { get; }

    public bool Overflowed { get; private set; }

    /// <summary>
    /// The version the watch started from. cacheWatcher.process sends only events newer than it, and bookmarks at it or
    /// newer; this matters when it is newer than the store's own version. 0: the watch started from no version.
    /// </summary>
    public long After { get; init; }

    public ChannelReader<StoredEvent> Reader => _channel.Reader;

    /// <summary>Translates a store change into what this watcher sees (k8s filter semantics) and queues it.</summary>
    public void Offer(StoredEvent e)
    {
        if (After > 0 && (e.ResourceVersion < After || (e.ResourceVersion == After && e.Type != "BOOKMARK")))
        {
            return;
        }

        if (e.Type == "BOOKMARK")
        {
            Write(e);
            return;
        }

        if (Namespace is not null && JsonPaths.Namespace(e.Object) != Namespace)
        {
            return;
        }

        var nowMatches = _matches(e.Object);
        switch (e.Type)
        {
            case "ADDED":
                if (nowMatches)
                {
                    Write(e);
                }

                break;
            case "DELETED":
                if (nowMatches)
                {
                    Write(e);
                }

                break;
            default:
                var oldMatches = e.OldObject is not null && _matches(e.OldObject);
                if (nowMatches && oldMatches)
                {
                    Write(e);
                }
                else if (nowMatches)
                {
                    Write(e with { Type = "ADDED" });
                }
                else if (oldMatches)
                {
                    Write(e with { Type = "DELETED" });
                }

                break;
        }
    }

    public void Close() => _channel.Writer.TryComplete();

    private void Write(StoredEvent e)
    {
        if (!_channel.Writer.TryWrite(e))
        {
            Overflowed = true;
            _channel.Writer.TryComplete();
        }
    }
}
