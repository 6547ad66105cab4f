namespace DataMover.Kube.Runtime;

/// <summary>
/// client-go's default controller rate limiter: the larger of a per-item exponential backoff
/// (base delay doubling to a cap) and an overall token bucket (qps with a burst).
/// </summary>
public sealed class RateLimiter<TKey> where TKey : notnull
{
    private readonly Lock _gate = new();
    private readonly Dictionary<TKey, int> _failures = [];
    private readonly TimeProvider _time;
    private readonly RateLimiterOptions _options;
    private double _tokens;
    private DateTimeOffset _last;

    public RateLimiter(RateLimiterOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        _tokens = options.Burst;
        _last = time.GetUtcNow();
    }

    /// <summary>How long to wait before retrying <paramref name="key"/>; counts one more failure.</summary>
    public TimeSpan When(TKey key)
    {
        lock (_gate)
        {
            _failures.TryGetValue(key, out var failures);
            _failures[key] = failures + 1;
            var exponent = Math.Min(failures, 62);
            var ticks = Math.Min(_options.BaseDelay.Ticks * Math.Pow(2, exponent), _options.MaxDelay.Ticks);
            var itemDelay = TimeSpan.FromTicks((long)ticks);

            var now = _time.GetUtcNow();
            _tokens = Math.Min(_options.Burst, _tokens + ((now - _last).TotalSeconds * _options.Qps));
            _last = now;
            _tokens -= 1;
            var bucketDelay = _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / _options.Qps);
            return itemDelay > bucketDelay ? itemDelay : bucketDelay;
        }
    }

    /// <summary>Failures counted for <paramref name="key"/> since the last <see cref="Forget"/>.</summary>
    public int NumRequeues(TKey key)
    {
        lock (_gate)
        {
            return _failures.TryGetValue(key, out var n) ? n : 0;
        }
    }

    /// <summary>Resets the backoff of <paramref name="key"/> after a success.</summary>
    public void Forget(TKey key)
    {
        lock (_gate)
        {
            _failures.Remove(key);
        }
    }
}
