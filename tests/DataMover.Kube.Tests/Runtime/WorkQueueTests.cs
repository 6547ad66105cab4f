using System.Collections.Concurrent;
using DataMover.Kube.Runtime;

namespace DataMover.Kube.Tests.Runtime;

public sealed class WorkQueueTests
{
    [Fact]
    public async Task Duplicate_adds_before_processing_are_merged()
    {
        using var queue = new WorkQueue<string>();
        queue.Add("a");
        queue.Add("a");
        queue.Add("b");
        queue.Add("a");

        Assert.Equal(2, queue.Count);
        var (first, _) = await queue.GetAsync();
        var (second, _) = await queue.GetAsync();
        Assert.Equal(["a", "b"], new[] { first, second });
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task A_key_added_while_processing_is_handed_out_again_only_after_done()
    {
        using var queue = new WorkQueue<string>();
        queue.Add("a");
        var (key, _) = await queue.GetAsync();

        queue.Add("a");
        Assert.Equal(0, queue.Count);

        queue.Done(key);
        Assert.Equal(1, queue.Count);
        var (again, _) = await queue.GetAsync();
        Assert.Equal("a", again);
    }

    [Fact]
    public async Task Concurrent_workers_never_process_one_key_twice_at_once_and_miss_no_add()
    {
        using var queue = new WorkQueue<int>();
        var inFlight = new ConcurrentDictionary<int, int>();
        var lastAdd = new ConcurrentDictionary<int, long>();
        var lastStart = new ConcurrentDictionary<int, long>();
        long clock = 0;
        var overlap = 0;

        async Task Worker()
        {
            while (true)
            {
                var (key, shutDown) = await queue.GetAsync();
                if (shutDown)
                {
                    return;
                }

                if (!inFlight.TryAdd(key, 0))
                {
                    Interlocked.Increment(ref overlap);
                }

                lastStart[key] = Interlocked.Increment(ref clock);
                await Task.Yield();
                inFlight.TryRemove(key, out _);
                queue.Done(key);
            }
        }

        var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(Worker)).ToArray();
        var random = new Random(42);
        for (var i = 0; i < 5000; i++)
        {
            var key = random.Next(20);
            lastAdd[key] = Interlocked.Increment(ref clock);
            queue.Add(key);
        }

        // Every key must be processed after its last add: wait until that holds, then stop.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (lastAdd.Any(kv => !lastStart.TryGetValue(kv.Key, out var s) || s < kv.Value) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        queue.ShutDown();
        await Task.WhenAll(workers);
        Assert.Equal(0, overlap);
        Assert.All(lastAdd, kv => Assert.True(lastStart[kv.Key] > kv.Value, $"key {kv.Key} was added after its last processing"));
    }

    [Fact]
    public void Per_item_backoff_doubles_from_5ms_and_forget_resets_it()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var limiter = new RateLimiter<string>(new RateLimiterOptions(), time);

        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(10), limiter.When("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(20), limiter.When("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When("b"));
        Assert.Equal(3, limiter.NumRequeues("a"));

        limiter.Forget("a");
        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When("a"));
    }

    [Fact]
    public void Per_item_backoff_is_capped()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var limiter = new RateLimiter<string>(new RateLimiterOptions { MaxDelay = TimeSpan.FromSeconds(1) }, time);
        TimeSpan last = default;
        for (var i = 0; i < 100; i++)
        {
            last = limiter.When("a");
        }

        Assert.Equal(TimeSpan.FromSeconds(1), last);
    }

    [Fact]
    public void Overall_bucket_limits_bursts_across_keys()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var limiter = new RateLimiter<int>(new RateLimiterOptions { Qps = 10, Burst = 2 }, time);

        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When(1));
        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When(2));
        // The bucket is empty: the third distinct key waits a tenth of a second.
        Assert.Equal(TimeSpan.FromMilliseconds(100), limiter.When(3));
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When(4));
    }

    [Fact]
    public void AddAfter_fires_only_when_the_clock_reaches_it_and_the_earliest_wins()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var queue = new WorkQueue<string>(time: time);

        queue.AddAfter("a", TimeSpan.FromSeconds(10));
        queue.AddAfter("a", TimeSpan.FromSeconds(3));
        queue.AddAfter("a", TimeSpan.FromSeconds(20));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(0, queue.Count);

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, queue.Count);

        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public async Task AddRateLimited_waits_the_backoff()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var queue = new WorkQueue<string>(time: time);

        queue.AddRateLimited("a");
        Assert.Equal(0, queue.Count);
        time.Advance(TimeSpan.FromMilliseconds(5));
        var (key, _) = await queue.GetAsync();
        queue.Done(key);

        queue.AddRateLimited("a");
        time.Advance(TimeSpan.FromMilliseconds(9));
        Assert.Equal(0, queue.Count);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public async Task Shutdown_drains_queued_keys_then_reports_shutdown_to_every_worker()
    {
        using var queue = new WorkQueue<string>();
        queue.Add("a");
        queue.ShutDown();
        queue.Add("b");

        var (key, shutDown) = await queue.GetAsync();
        Assert.False(shutDown);
        Assert.Equal("a", key);
        queue.Done(key);

        var results = await Task.WhenAll(queue.GetAsync(), queue.GetAsync());
        Assert.All(results, r => Assert.True(r.ShutDown));
    }
}
