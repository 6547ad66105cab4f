namespace DataMover.Kube.Runtime;

/// <summary>
/// A work queue with client-go semantics: a key added many times before it is processed is processed once;
/// a key is never handed to two workers at once; a key added while it is processed is handed out again
/// after <see cref="Done"/>; delayed and rate-limited adds; orderly shutdown.
/// </summary>
public sealed class WorkQueue<TKey> : IDisposable where TKey : notnull
{
    private readonly Lock _gate = new();
    private readonly Queue<TKey> _queue = new();
    private readonly HashSet<TKey> _dirty = [];
    private readonly HashSet<TKey> _processing = [];
    private readonly Dictionary<TKey, (DateTimeOffset Due, ITimer Timer)> _waiting = [];
    private readonly SemaphoreSlim _available = new(0);
    private readonly TimeProvider _time;
    private readonly string _name;
    private readonly IWorkQueueMetrics? _metrics;
    private readonly Dictionary<TKey, long> _addedAt = [];
    private readonly Dictionary<TKey, long> _startedAt = [];
    private bool _shuttingDown;

    public WorkQueue(RateLimiterOptions? rateLimits = null, TimeProvider? time = null, string name = "", IWorkQueueMetrics? metrics = null)
    {
        _time = time ?? TimeProvider.System;
        _name = name;
        _metrics = metrics;
        RateLimiter = new RateLimiter<TKey>(rateLimits ?? new RateLimiterOptions(), _time);
        metrics?.Track(name, Snapshot);
    }

    public RateLimiter<TKey> RateLimiter { get; }

    /// <summary>Keys waiting to be handed out (not counting delayed ones).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    public bool IsShuttingDown
    {
        get
        {
            lock (_gate)
            {
                return _shuttingDown;
            }
        }
    }

    /// <summary>Marks <paramref name="key"/> as needing processing.</summary>
    public void Add(TKey key)
    {
        lock (_gate)
        {
            if (_shuttingDown || !_dirty.Add(key))
            {
                return;
            }

            if (_metrics is not null)
            {
                _addedAt.TryAdd(key, _time.GetTimestamp());
                _metrics.Added(_name);
            }

            if (_processing.Contains(key))
            {
                // Handed out again by Done.
                return;
            }

            _queue.Enqueue(key);
        }

        _available.Release();
    }

    /// <summary>Adds <paramref name="key"/> once <paramref name="delay"/> has passed; an earlier pending add wins.</summary>
    public void AddAfter(TKey key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }

        lock (_gate)
        {
            if (_shuttingDown)
            {
                return;
            }

            var due = _time.GetUtcNow() + delay;
            if (_waiting.TryGetValue(key, out var existing))
            {
                if (existing.Due <= due)
                {
                    return;
                }

                existing.Timer.Dispose();
            }

            var timer = _time.CreateTimer(_ => Fire(key, due), null, delay, Timeout.InfiniteTimeSpan);
            _waiting[key] = (due, timer);
        }
    }

    /// <summary>Adds <paramref name="key"/> after its backoff, counting a failure.</summary>
    public void AddRateLimited(TKey key)
    {
        _metrics?.Retried(_name);
        AddAfter(key, RateLimiter.When(key));
    }

    /// <summary>Clears the backoff of <paramref name="key"/> (call after a success).</summary>
    public void Forget(TKey key) => RateLimiter.Forget(key);

    public int NumRequeues(TKey key) => RateLimiter.NumRequeues(key);

    /// <summary>
    /// Waits for the next key. Returns <c>(default, true)</c> once the queue is shut down and drained.
    /// Every key returned must be passed to <see cref="Done"/>.
    /// </summary>
    public async Task<(TKey Key, bool ShutDown)> GetAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            await _available.WaitAsync(cancellationToken);
            lock (_gate)
            {
                if (_queue.Count == 0)
                {
                    if (_shuttingDown)
                    {
                        // Keep waking the other waiters.
                        _available.Release();
                        return (default!, true);
                    }

                    continue;
                }

                var key = _queue.Dequeue();
                _processing.Add(key);
                _dirty.Remove(key);
                if (_metrics is not null)
                {
                    var now = _time.GetTimestamp();
                    _metrics.Handed(_name, _addedAt.Remove(key, out var added) ? _time.GetElapsedTime(added, now) : TimeSpan.Zero);
                    _startedAt[key] = now;
                }

                return (key, false);
            }
        }
    }

    /// <summary>Ends processing of <paramref name="key"/>; if it was added meanwhile it is queued again.</summary>
    public void Done(TKey key)
    {
        var requeued = false;
        lock (_gate)
        {
            _processing.Remove(key);
            if (_metrics is not null && _startedAt.Remove(key, out var started))
            {
                _metrics.Worked(_name, _time.GetElapsedTime(started));
            }

            if (_dirty.Contains(key))
            {
                _queue.Enqueue(key);
                requeued = true;
            }
        }

        if (requeued)
        {
            _available.Release();
        }
    }

    /// <summary>Stops accepting keys; workers drain what is queued, then <see cref="GetAsync"/> reports shutdown.</summary>
    public void ShutDown()
    {
        lock (_gate)
        {
            if (_shuttingDown)
            {
                return;
            }

            _shuttingDown = true;
            foreach (var (_, timer) in _waiting.Values)
            {
                timer.Dispose();
            }

            _waiting.Clear();
        }

        _available.Release();
    }

    public void Dispose()
    {
        ShutDown();
        _available.Dispose();
    }

    private WorkQueueSnapshot Snapshot()
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            var unfinished = TimeSpan.Zero;
            var longest = TimeSpan.Zero;
            foreach (var started in _startedAt.Values)
            {
                var elapsed = _time.GetElapsedTime(started, now);
                unfinished += elapsed;
                longest = elapsed > longest ? elapsed : longest;
            }

            return new WorkQueueSnapshot(_dirty.Count, unfinished, longest);
        }
    }

    private void Fire(TKey key, DateTimeOffset due)
    {
        lock (_gate)
        {
            if (!_waiting.TryGetValue(key, out var entry) || entry.Due != due)
            {
                return;
            }

            entry.Timer.Dispose();
            _waiting.Remove(key);
        }

        Add(key);
    }
}
