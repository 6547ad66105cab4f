using DataMover.Kube.Client;
using DataMover.Kube.Models;
using Microsoft.Extensions.Logging;

namespace DataMover.Kube.Runtime;

/// <summary>
/// Keeps a local cache of one resource type in sync with the API server: a paged list, then a watch from the
/// list's resourceVersion, resumed from the last version seen when the stream ends, and a fresh list (with
/// deletes emitted for objects that vanished meanwhile) when the version has expired.
/// </summary>
public sealed partial class Informer<T> where T : KubeObject
{
    private readonly ResourceClient<T> _resource;
    private readonly InformerOptions _options;
    private readonly ILogger _logger;
    private readonly InformerCache<T> _cache = new();
    private readonly List<InformerHandler<T>> _handlers = [];
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimeProvider _time;

    public Informer(KubeClient client, ResourceType<T> type, InformerOptions? options = null, ILogger? logger = null, TimeProvider? time = null)
    {
        _resource = client.Resource(type);
        _options = options ?? new InformerOptions();
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>True once the first list has been stored and its events delivered.</summary>
    public bool HasSynced => _synced.Task.IsCompleted;

    /// <summary>The resourceVersion of the newest event or list applied.</summary>
    public string? LastSyncResourceVersion { get; private set; }

    /// <summary>Registers callbacks; register before <see cref="RunAsync"/>.</summary>
    public void AddHandler(InformerHandler<T> handler) => _handlers.Add(handler);

    /// <summary>Adds a secondary index (see <see cref="IndexFuncs"/>).</summary>
    public void AddIndex(string name, Func<T, IEnumerable<string>> func) => _cache.AddIndex(name, func);

    public T? Get(string? ns, string name) => _cache.Get(ObjectKey.Of(ns, name));

    public T? Get(string key) => _cache.Get(key);

    /// <summary>Cached objects, of one namespace or all.</summary>
    public IReadOnlyList<T> List(string? ns = null) => _cache.List(ns);

    public IReadOnlyList<T> ByIndex(string index, string value) => _cache.ByIndex(index, value);

    public Task WaitForSyncAsync(CancellationToken cancellationToken) => _synced.Task.WaitAsync(cancellationToken);

    /// <summary>Lists and watches until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = _options.MinBackoff;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await ListAsync(cancellationToken);
                backoff = _options.MinBackoff;
                await WatchUntilExpiredAsync(cancellationToken);
                LogRelist(_logger, _resource.Type.ToString(), LastSyncResourceVersion);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogListFailed(_logger, _resource.Type.ToString(), backoff.TotalSeconds, e);
                await DelayAsync(backoff, cancellationToken);
                backoff = Next(backoff);
            }
        }
    }

    private async Task ListAsync(CancellationToken cancellationToken)
    {
        var list = await _resource.ListAllAsync(_options.Namespace, new ListOptions
        {
            LabelSelector = _options.LabelSelector,
            FieldSelector = _options.FieldSelector,
            Limit = _options.PageSize,
        }, cancellationToken);

        var seen = new HashSet<string>();
        foreach (var item in list.Items)
        {
            seen.Add(item.Key());
            Apply(WatchEventType.Added, item);
        }

        foreach (var key in _cache.Keys().Where(k => !seen.Contains(k)))
        {
            if (_cache.Remove(key) is { } gone)
            {
                Notify(WatchEventType.Deleted, null, gone);
            }
        }

        LastSyncResourceVersion = list.Metadata.ResourceVersion;
        _synced.TrySetResult();
    }

    /// <summary>Watches, resuming from the last version after each normal end or transient failure; returns when a relist is needed.</summary>
    private async Task WatchUntilExpiredAsync(CancellationToken cancellationToken)
    {
        var backoff = _options.MinBackoff;
        while (!cancellationToken.IsCancellationRequested)
        {
            var timeout = (int)(_options.WatchTimeout.TotalSeconds * (1 + Random.Shared.NextDouble()));
            var options = new WatchOptions
            {
                ResourceVersion = LastSyncResourceVersion,
                LabelSelector = _options.LabelSelector,
                FieldSelector = _options.FieldSelector,
                AllowWatchBookmarks = true,
                TimeoutSeconds = timeout,
                SilenceTimeout = _options.SilenceTimeout ?? TimeSpan.FromSeconds(timeout + 30),
            };
            try
            {
                await foreach (var e in _resource.WatchAsync(_options.Namespace, options, cancellationToken))
                {
                    Apply(e.Type, e.Object);
                    backoff = _options.MinBackoff;
                }
            }
            catch (WatchExpiredException)
            {
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e) when (e is not KubeApiException { IsGone: true })
            {
                LogWatchFailed(_logger, _resource.Type.ToString(), backoff.TotalSeconds, e);
                await DelayAsync(backoff, cancellationToken);
                backoff = Next(backoff);
            }
        }
    }

    private void Apply(WatchEventType type, T obj)
    {
        if (obj.Metadata.ResourceVersion is { } rv)
        {
            LastSyncResourceVersion = rv;
        }

        switch (type)
        {
            case WatchEventType.Added:
            case WatchEventType.Modified:
                var old = _cache.Upsert(obj);
                if (old is not null && old.Metadata.ResourceVersion == obj.Metadata.ResourceVersion)
                {
                    // A relist returning what we already had.
                    break;
                }

                Notify(old is null ? WatchEventType.Added : WatchEventType.Modified, old, obj);
                break;
            case WatchEventType.Deleted:
                var removed = _cache.Remove(obj.Key());
                Notify(WatchEventType.Deleted, null, removed ?? obj);
                break;
            case WatchEventType.Bookmark:
                break;
        }
    }

    private void Notify(WatchEventType type, T? old, T obj)
    {
        foreach (var h in _handlers)
        {
            try
            {
                switch (type)
                {
                    case WatchEventType.Added:
                        h.OnAdd?.Invoke(obj);
                        break;
                    case WatchEventType.Modified:
                        h.OnUpdate?.Invoke(old!, obj);
                        break;
                    case WatchEventType.Deleted:
                        h.OnDelete?.Invoke(obj);
                        break;
                }
            }
            catch (Exception e)
            {
                LogHandlerFailed(_logger, _resource.Type.ToString(), obj.Key(), e);
            }
        }
    }

    private TimeSpan Next(TimeSpan backoff) =>
        TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));

    private Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) =>
        Task.Delay(delay, _time, cancellationToken).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    [LoggerMessage(Level = LogLevel.Information, Message = "Watch of {Resource} expired at resourceVersion {ResourceVersion}; relisting")]
    private static partial void LogRelist(ILogger logger, string resource, string? resourceVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "List of {Resource} failed; retrying in {BackoffSeconds}s")]
    private static partial void LogListFailed(ILogger logger, string resource, double backoffSeconds, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watch of {Resource} failed; resuming in {BackoffSeconds}s")]
    private static partial void LogWatchFailed(ILogger logger, string resource, double backoffSeconds, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handler for {Resource} {Key} threw")]
    private static partial void LogHandlerFailed(ILogger logger, string resource, string key, Exception exception);
}
