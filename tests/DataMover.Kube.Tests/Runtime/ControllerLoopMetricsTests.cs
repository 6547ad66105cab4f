using System.Collections.Concurrent;
using DataMover.Kube.Runtime;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataMover.Kube.Tests.Runtime;

/// <summary>What a loop and its queue report through <see cref="IControllerMetrics"/>, as controller-runtime and client-go count.</summary>
public sealed class ControllerLoopMetricsTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Outcomes_adds_retries_and_work_in_progress_are_reported()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reconciler = new ScriptedReconciler(async (key, attempt, ct) => key switch
        {
            "ns/fails" when attempt == 1 => throw new InvalidOperationException("first attempt fails"),
            "ns/terminal" => throw new TerminalReconcileException("bad input"),
            "ns/later" => ReconcileResult.After(TimeSpan.FromHours(1)),
            "ns/slow" => await SlowAsync(release.Task, ct),
            _ => ReconcileResult.Done,
        });
        var metrics = new RecordingMetrics();
        using var loop = new ControllerLoop("test", reconciler, 2, NullLogger.Instance, new RateLimiterOptions { BaseDelay = TimeSpan.FromMilliseconds(10) }, metrics: metrics);
        Assert.Equal(2, metrics.Workers);
        using var stop = new CancellationTokenSource();
        var run = loop.RunAsync(stop.Token);

        foreach (var key in new[] { "ns/fails", "ns/terminal", "ns/later" })
        {
            loop.Enqueue(key);
        }

        await reconciler.WaitForAttemptsAsync("ns/fails", 2);
        await reconciler.WaitForAttemptsAsync("ns/terminal", 1);
        await reconciler.WaitForAttemptsAsync("ns/later", 1);
        loop.Enqueue("ns/slow");
        await reconciler.WaitForAttemptsAsync("ns/slow", 1);

        // A key held by a worker is work in progress until it is done.
        var during = metrics.Probe!();
        Assert.True(during.Longest > TimeSpan.Zero && during.Unfinished >= during.Longest);
        release.SetResult();
        await WaitUntilAsync(() => metrics.Outcomes.Count(o => o == ReconcileOutcome.Success) == 2);
        await stop.CancelAsync();
        await run.WaitAsync(Generous);

        Assert.Equal(1, metrics.Outcomes.Count(o => o == ReconcileOutcome.Error));
        Assert.Equal(1, metrics.Outcomes.Count(o => o == ReconcileOutcome.TerminalError));
        Assert.Equal(1, metrics.Outcomes.Count(o => o == ReconcileOutcome.RequeueAfter));
        Assert.Equal(1, metrics.Retries);
        Assert.Equal(5, metrics.Adds);          // four keys, and the failed one again after its backoff
        Assert.Equal(5, metrics.HandedCount);
        Assert.Equal(5, metrics.WorkedCount);
        Assert.Equal(0, metrics.Active);
        Assert.Equal(new WorkQueueSnapshot(0, TimeSpan.Zero, TimeSpan.Zero), metrics.Probe!());
    }

    private static async Task<ReconcileResult> SlowAsync(Task release, CancellationToken ct)
    {
        await release.WaitAsync(ct);
        return ReconcileResult.Done;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Generous;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(10);
        }
    }

    private sealed class ScriptedReconciler(Func<string, int, CancellationToken, Task<ReconcileResult>> script) : IReconciler
    {
        private readonly ConcurrentDictionary<string, int> _attempts = new();

        public async Task WaitForAttemptsAsync(string key, int count) => await WaitUntilAsync(() => _attempts.GetValueOrDefault(key) >= count);

        public Task<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken) =>
            script(key, _attempts.AddOrUpdate(key, 1, (_, n) => n + 1), cancellationToken);
    }

    private sealed class RecordingMetrics : IControllerMetrics
    {
        private int _adds;
        private int _handed;
        private int _worked;
        private int _retries;
        private int _active;

        public ConcurrentQueue<ReconcileOutcome> Outcomes { get; } = new();
        public int Workers { get; private set; }
        public Func<WorkQueueSnapshot>? Probe { get; private set; }
        public int Adds => Volatile.Read(ref _adds);
        public int HandedCount => Volatile.Read(ref _handed);
        public int WorkedCount => Volatile.Read(ref _worked);
        public int Retries => Volatile.Read(ref _retries);
        public int Active => Volatile.Read(ref _active);

        public void WorkersConfigured(string controller, int workers) => Workers = workers;
        public void ReconcileStarted(string controller) => Interlocked.Increment(ref _active);

        public void ReconcileFinished(string controller, ReconcileOutcome outcome, TimeSpan elapsed)
        {
            Interlocked.Decrement(ref _active);
            Outcomes.Enqueue(outcome);
        }

        public void Added(string queue) => Interlocked.Increment(ref _adds);
        public void Handed(string queue, TimeSpan waited) => Interlocked.Increment(ref _handed);
        public void Worked(string queue, TimeSpan worked) => Interlocked.Increment(ref _worked);
        public void Retried(string queue) => Interlocked.Increment(ref _retries);
        public void Track(string queue, Func<WorkQueueSnapshot> probe) => Probe = probe;
    }
}
