using DataMover.Kube.Client;
using DataMover.Kube.Models;
using Microsoft.Extensions.Logging;

namespace DataMover.Kube.Runtime;

/// <summary>
/// Keeps a local cache of one resource type in sync with the API server, as client-go's reflector does: a paged
/// list, then a watch from the list's resourceVersion, resumed from the last version seen when the stream ends, and a
/// fresh consistent list (with deletes emitted for objects that vanished meanwhile) when the version has expired (410)
/// or is newer than the server has (etcd restored from a backup), or the watch failed otherwise. Failed lists are
/// retried with jittered exponential backoff; no error stops it for good. <see cref="Health"/> tells how current it is.
/// </summary>
public sealed partial class Informer<T> : IInformer where T : KubeObject
{
    private readonly ResourceClient<T> _resource;
    private readonly InformerOptions _options;
    private readonly ILogger _logger;
    private readonly InformerCache<T> _cache = new();
    private readonly List<InformerHandler<T>> _handlers = [];
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimeProvider _time;
    private readonly Lock _healthGate = new();
    private InformerHealth _health;
    private Func<T, T> _transform = InformerTransforms.WithoutManagedFields;

    public Informer(KubeClient client, ResourceType<T> type, InformerOptions? options = null, ILogger? logger = null, TimeProvider? time = null)
    {
        _resource = client.Resource(type);
        _options = options ?? new InformerOptions();
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        // Health is wall-clock time even under a test's fake clock: probes compare it with the real time.
        _health = new InformerHealth(false, TimeProvider.System.GetUtcNow(), null);
    }

    /// <summary>True once the first list has been stored and its events delivered.</summary>
    public bool HasSynced => _synced.Task.IsCompleted;

    /// <summary>The resourceVersion of the newest event or list applied.</summary>
    public string? LastSyncResourceVersion { get; private set; }

    public string Resource => _resource.Type.ToString();

    /// <summary>Synced while listed and watching; otherwise since when it has not been, and the error it is stuck on.</summary>
    public InformerHealth Health
    {
        get
        {
            lock (_healthGate)
            {
                return _health;
            }
        }
    }

    /// <summary>Registers callbacks; register before <see cref="RunAsync"/>.</summary>
    public void AddHandler(InformerHandler<T> handler) => _handlers.Add(handler);

    /// <summary>
    /// Sets what the cache keeps of each listed or watched object (client-go's SetTransform), applied before indexes and
    /// handlers see it; managedFields are dropped in any case. Set before <see cref="RunAsync"/>.
    /// </summary>
    public void SetTransform(Func<T, T> transform) =>
        _transform = obj => transform(InformerTransforms.WithoutManagedFields(obj));

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
                var relist = await WatchUntilRelistAsync(cancellationToken);
                if (relist.Healthy)
                {
                    backoff = _options.MinBackoff;
                }

                if (relist.Error is { } error)
                {
                    MarkUnhealthy(error);
                    LogWatchRelist(_logger, Resource, backoff.TotalSeconds, error);
                    await DelayAsync(Jittered(backoff), cancellationToken);
                    backoff = Next(backoff);
                }
                else
                {
                    LogRelist(_logger, Resource, LastSyncResourceVersion);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                MarkUnhealthy(e);
                LogListFailed(_logger, Resource, backoff.TotalSeconds, e);
                await DelayAsync(Jittered(backoff), cancellationToken);
                backoff = Next(backoff);
            }
        }
    }

    private async Task ListAsync(CancellationToken cancellationToken)
    {
        // No resourceVersion: a consistent read from etcd, the only safe start after an expired or too-new version.
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

    /// <summary>
    /// Watches, resuming from the last version after each normal end or transient transport failure; returns when a
    /// relist is needed: at once (Error null) after an expired or too-new version, after backoff for other errors.
    /// </summary>
    private async Task<RelistReason> WatchUntilRelistAsync(CancellationToken cancellationToken)
    {
        var backoff = _options.MinBackoff;
        var everEstablished = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            var timeout = (int)(_options.WatchTimeout.TotalSeconds * (1 + Random.Shared.NextDouble()));
            var established = false;
            var options = new WatchOptions
            {
                ResourceVersion = LastSyncResourceVersion,
                LabelSelector = _options.LabelSelector,
                FieldSelector = _options.FieldSelector,
                AllowWatchBookmarks = true,
                TimeoutSeconds = timeout,
                SilenceTimeout = _options.SilenceTimeout ?? TimeSpan.FromSeconds(timeout + 30),
                OnEstablished = () =>
                {
                    established = true;
                    MarkHealthy();
                },
            };
            try
            {
                await foreach (var e in _resource.WatchAsync(_options.Namespace, options, cancellationToken))
                {
                    Apply(e.Type, e.Object);
                    backoff = _options.MinBackoff;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (KubeApiException e) when (e.IsGone || e.IsResourceVersionTooLarge)
            {
                // client-go: the version is unusable, so relist from scratch rather than resume from it.
                return new RelistReason(everEstablished || established, null);
            }
            catch (Exception e) when (IsTransient(e))
            {
                MarkUnhealthy(e);
                LogWatchFailed(_logger, Resource, backoff.TotalSeconds, e);
                await DelayAsync(Jittered(backoff), cancellationToken);
                backoff = Next(backoff);
                continue;
            }
            catch (Exception e)
            {
                // Any other answer (403, 500, a body we cannot read): the reflector gives up on this watch and relists.
                return new RelistReason(everEstablished || established, e);
            }

            everEstablished |= established;
        }

        return new RelistReason(everEstablished, null);
    }

    /// <summary>client-go's isWatchErrorRetriable: the server never took the request, or asked us to slow down.</summary>
    private static bool IsTransient(Exception e) =>
        e is HttpRequestException or IOException or TimeoutException or KubeApiException { IsTooManyRequests: true };

    private void MarkHealthy()
    {
        lock (_healthGate)
        {
            _health = new InformerHealth(true, null, null);
        }
    }

    private void MarkUnhealthy(Exception error)
    {
        lock (_healthGate)
        {
            // The clock starts at the first failure after the last good moment, however many failures follow.
            _health = new InformerHealth(false, _health.UnhealthySince ?? TimeProvider.System.GetUtcNow(), error.Message);
        }
    }

    private void Apply(WatchEventType type, T received)
    {
        if (received.Metadata.ResourceVersion is { } rv)
        {
            LastSyncResourceVersion = rv;
        }

        var obj = type == WatchEventType.Bookmark ? received : _transform(received);

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
                LogHandlerFailed(_logger, Resource, obj.Key(), e);
            }
        }
    }

    private TimeSpan Next(TimeSpan backoff) =>
        TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));

    /// <summary>client-go's reflector backoff has jitter 1.0: a wait between the step and twice it, never past the cap.</summary>
    private TimeSpan Jittered(TimeSpan backoff) =>
        TimeSpan.FromTicks(Math.Min((long)(backoff.Ticks * (1 + Random.Shared.NextDouble())), Math.Max(_options.MaxBackoff.Ticks, backoff.Ticks)));

    private Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) =>
        Task.Delay(delay, _time, cancellationToken).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>Why a watch loop ended: whether a watch was open at some point, and the error that ended it (null: the version was unusable).</summary>
    private readonly record struct RelistReason(bool Healthy, Exception? Error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Watch of {Resource} expired at resourceVersion {ResourceVersion}; relisting")]
    private static partial void LogRelist(ILogger logger, string resource, string? resourceVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "List of {Resource} failed; retrying in {BackoffSeconds}s")]
    private static partial void LogListFailed(ILogger logger, string resource, double backoffSeconds, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watch of {Resource} failed; relisting in {BackoffSeconds}s")]
    private static partial void LogWatchRelist(ILogger logger, string resource, double backoffSeconds, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watch of {Resource} failed; resuming in {BackoffSeconds}s")]
    private static partial void LogWatchFailed(ILogger logger, string resource, double backoffSeconds, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handler for {Resource} {Key} threw")]
    private static partial void LogHandlerFailed(ILogger logger, string resource, string key, Exception exception);
}
