using System.Collections.Concurrent;
using DataMover.Kube.Runtime;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataMover.Kube.Tests.Runtime;

public sealed class ControllerLoopTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(typeof(InvalidOperationException))]
    [InlineData(typeof(NullReferenceException))]
    [InlineData(typeof(TaskCanceledException))]
    [InlineData(typeof(HttpRequestException))]
    public async Task Any_exception_type_requeues_the_key_with_backoff(Type exceptionType)
    {
        var reconciler = new ScriptedReconciler((key, attempt, _) =>
            attempt == 1 ? throw (Exception)Activator.CreateInstance(exceptionType)! : Task.FromResult(ReconcileResult.Done));
        using var loop = new ControllerLoop("test", reconciler, 1, NullLogger.Instance, new RateLimiterOptions { BaseDelay = TimeSpan.FromMilliseconds(10) });
        using var stop = new CancellationTokenSource();
        var run = loop.RunAsync(stop.Token);

        loop.Enqueue("ns/a");
        await reconciler.WaitForAttemptsAsync("ns/a", 2);
        await stop.CancelAsync();
        await run.WaitAsync(Generous);
        Assert.Equal(2, reconciler.Attempts("ns/a"));
    }

    [Fact]
    public async Task An_exception_never_kills_the_only_worker()
    {
        var reconciler = new ScriptedReconciler((key, _, _) =>
            key == "ns/bad" ? throw new InvalidCastException("bug") : Task.FromResult(ReconcileResult.Done));
        using var loop = new ControllerLoop("test", reconciler, 1, NullLogger.Instance, new RateLimiterOptions { BaseDelay = TimeSpan.FromMinutes(10) });
        using var stop = new CancellationTokenSource();
        var run = loop.RunAsync(stop.Token);

        loop.Enqueue("ns/bad");
        await reconciler.WaitForAttemptsAsync("ns/bad", 1);
        loop.Enqueue("ns/good");
        await reconciler.WaitForAttemptsAsync("ns/good", 1);
        await stop.CancelAsync();
        await run.WaitAsync(Generous);
    }

    [Fact]
    public async Task A_stop_lets_the_reconcile_in_flight_finish_and_starts_no_queued_key()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reconciler = new ScriptedReconciler(async (key, _, ct) =>
        {
            if (key == "ns/slow")
            {
                await release.Task.WaitAsync(ct);
            }

            return ReconcileResult.Done;
        });
        using var loop = new ControllerLoop("test", reconciler, 1, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        using var abandon = new CancellationTokenSource();
        var run = loop.RunAsync(stop.Token, abandon.Token);

        loop.Enqueue("ns/slow");
        await reconciler.WaitForAttemptsAsync("ns/slow", 1);
        loop.Enqueue("ns/queued");
        await stop.CancelAsync();
        release.SetResult();

        var summary = await run.WaitAsync(Generous);
        Assert.Equal(new LoopShutdown(1, 0), summary);
        Assert.Equal(0, reconciler.Attempts("ns/queued"));
    }

    [Fact]
    public async Task A_reconcile_still_running_when_the_grace_ends_is_abandoned()
    {
        var reconciler = new ScriptedReconciler(async (_, _, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return ReconcileResult.Done;
        });
        using var loop = new ControllerLoop("test", reconciler, 2, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        using var abandon = new CancellationTokenSource();
        var run = loop.RunAsync(stop.Token, abandon.Token);

        loop.Enqueue("ns/stuck");
        await reconciler.WaitForAttemptsAsync("ns/stuck", 1);
        await stop.CancelAsync();
        Assert.False(run.IsCompleted);
        await abandon.CancelAsync();

        Assert.Equal(new LoopShutdown(0, 1), await run.WaitAsync(Generous));
    }

    private sealed class ScriptedReconciler(Func<string, int, CancellationToken, Task<ReconcileResult>> script) : IReconciler
    {
        private readonly ConcurrentDictionary<string, int> _attempts = new();

        public int Attempts(string key) => _attempts.GetValueOrDefault(key);

        public async Task WaitForAttemptsAsync(string key, int count)
        {
            using var timeout = new CancellationTokenSource(Generous);
            while (Attempts(key) < count)
            {
                await Task.Delay(10, timeout.Token);
            }
        }

        public Task<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken)
        {
            var attempt = _attempts.AddOrUpdate(key, 1, (_, n) => n + 1);
            return script(key, attempt, cancellationToken);
        }
    }
}
