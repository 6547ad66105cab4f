using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using DataMover.Sandbox.ApiServer.Tables;

namespace DataMover.Sandbox.ApiServer.Http;

/// <summary>
/// Streams watch events as newline-delimited JSON (chunked), with resourceVersion resume,
/// 410 Gone for versions older than the history window, bookmarks and timeoutSeconds.
/// </summary>
internal sealed class WatchStreamer
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(30);
    private readonly ResourceStore _store;
    private readonly int _capacity;

    public WatchStreamer(ResourceStore store, int capacity)
    {
        _store = store;
        _capacity = capacity;
    }

    public async Task StreamAsync(HttpContext context, ApiRequest request)
    {
        var query = context.Request.Query;
        var type = request.Type;
        var labels = LabelSelector.Parse(query["labelSelector"]);
        var fields = FieldSelector.Parse(query["fieldSelector"], type);
        if (request.Name is not null)
        {
            // Legacy /watch/namespaces/ns/pods/name form.
            fields = FieldSelector.Parse($"metadata.name={request.Name}", type);
        }

        var bookmarks = query["allowWatchBookmarks"] == "true";
        var sendInitial = query["sendInitialEvents"] == "true";
        var asTable = RestHandler.WantsTable(context.Request);
        var includeObject = query["includeObject"].ToString();
        var timeout = long.TryParse(query["timeoutSeconds"], NumberStyles.None, CultureInfo.InvariantCulture, out var t) && t > 0 ? TimeSpan.FromSeconds(t) : DefaultTimeout;
        var rvText = query["resourceVersion"].ToString();

        long? fromRv = null;
        if (rvText.Length > 0 && rvText != "0")
        {
            fromRv = long.TryParse(rvText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
                ? parsed
                : throw ApiException.BadRequest($"invalid resource version: {rvText}");
        }

        ApiException? failed = null;
        if (sendInitial && fromRv is { } wanted && !await _store.WaitUntilFreshAsync(wanted, ResourceStore.BlockTimeout, context.RequestAborted))
        {
            // Cacher.waitUntilWatchCacheFreshAndForceAllEvents: only a watch that asks for the initial state waits for
            // the version; past blockTimeout it fails with an ERROR event (newErrWatcher), the stream itself is 200.
            lock (_store.Gate)
            {
                failed = ApiException.TooLargeResourceVersion(wanted, _store.CurrentRv);
            }
        }

        var initial = new List<StoredEvent>();
        // Any other watch from a version the store has not reached is accepted and stays silent until the store
        // passes it (getAllEventsSinceLocked has no upper check): what a client sees after etcd went back in time.
        var watcher = new Watcher(type.Key, request.Namespace, o => labels.Matches(o) && fields.Matches(o), _capacity, bookmarks)
        {
            After = sendInitial ? 0 : fromRv ?? 0,
        };
        long startRv;
        lock (_store.Gate)
        {
            startRv = _store.CurrentRv;
            if (failed is null && (fromRv is null || sendInitial))
            {
                foreach (var (_, obj) in _store.List(type.Key, request.Namespace))
                {
                    initial.Add(new StoredEvent("ADDED", obj, null, startRv));
                }
            }
            else if (failed is null)
            {
                var history = _store.Since(type.Key, fromRv!.Value, out var oldest);
                if (history is null)
                {
                    failed = ApiException.Gone($"too old resource version: {fromRv} ({oldest})");
                }
                else
                {
                    initial.AddRange(history);
                }
            }

            if (failed is null)
            {
                _store.Hub.Add(watcher);
            }
        }

        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        response.Headers.CacheControl = "no-cache, private";
        await response.StartAsync(context.RequestAborted);

        // Headers must reach the client before any event exists (client-go waits for them).
        await response.Body.FlushAsync(context.RequestAborted);
        var writer = new EventWriter(context, type, asTable, includeObject);
        if (failed is not null)
        {
            await writer.WriteRawAsync("ERROR", failed.ToStatus());
            return;
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        cts.CancelAfter(timeout);
        try
        {
            // Replayed history goes through the same filter as live events.
            var replay = new Watcher(type.Key, request.Namespace, o => labels.Matches(o) && fields.Matches(o), int.MaxValue, false);
            foreach (var e in initial)
            {
                replay.Offer(e);
            }

            replay.Close();
            await foreach (var e in replay.Reader.ReadAllAsync(cts.Token))
            {
                await writer.WriteAsync(e);
            }

            if (sendInitial && bookmarks)
            {
                await writer.WriteBookmarkAsync(startRv, initialEventsEnd: true);
            }

            await foreach (var e in watcher.Reader.ReadAllAsync(cts.Token))
            {
                if (e.Type == "BOOKMARK")
                {
                    await writer.WriteBookmarkAsync(e.ResourceVersion, initialEventsEnd: false);
                }
                else
                {
                    await writer.WriteAsync(e);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Timeout or client went away: end the stream normally.
        }
        catch (IOException)
        {
        }
        finally
        {
            lock (_store.Gate)
            {
                _store.Hub.Remove(watcher);
            }
        }
    }

    private sealed class EventWriter(HttpContext context, ResourceType type, bool asTable, string includeObject)
    {
        private bool _columnsSent;

        public Task WriteAsync(StoredEvent e)
        {
            if (!asTable)
            {
                return WriteLineAsync(e.Type, e.PresentedJson(type));
            }

            var obj = ObjectService.Present(type, e.Object);
            var table = TableConverter.Convert(type, [obj], JsonPaths.Str(obj, "metadata", "resourceVersion"), null, includeObject, includeColumns: !_columnsSent);
            _columnsSent = true;
            return WriteRawAsync(e.Type, table);
        }

        public Task WriteBookmarkAsync(long rv, bool initialEventsEnd)
        {
            var metadata = new JsonObject { ["resourceVersion"] = ObjectService.FormatRv(rv) };
            if (initialEventsEnd)
            {
                metadata["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
            }

            return WriteRawAsync("BOOKMARK", new JsonObject { ["kind"] = type.Kind, ["apiVersion"] = type.ApiVersion, ["metadata"] = metadata });
        }

        public Task WriteRawAsync(string eventType, JsonNode payload) => WriteLineAsync(eventType, HttpIo.Serialize(payload));

        /// <summary>One event line, <c>{"type":…,"object":…}</c> and a newline, in one write.</summary>
        private async Task WriteLineAsync(string eventType, byte[] json)
        {
            var head = Encoding.UTF8.GetBytes("{\"type\":\"" + eventType + "\",\"object\":");
            var line = new byte[head.Length + json.Length + 2];
            head.CopyTo(line, 0);
            json.CopyTo(line, head.Length);
            line[^2] = (byte)'}';
            line[^1] = (byte)'\n';
            await context.Response.Body.WriteAsync(line, context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
    }
}
