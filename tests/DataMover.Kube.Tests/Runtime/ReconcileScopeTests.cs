using System.Collections.Concurrent;
using System.Net;
using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Kube.Runtime;
using Microsoft.Extensions.Logging;

namespace DataMover.Kube.Tests.Runtime;

/// <summary>The logging scope <see cref="ControllerLoop"/> opens around each reconcile, and how it logs a failure.</summary>
public sealed class ReconcileScopeTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Every_line_of_a_reconcile_carries_its_scope_and_each_reconcile_has_a_fresh_id()
    {
        using var capture = new CapturingProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(capture).SetMinimumLevel(LogLevel.Trace));
        var reconcilerLog = loggers.CreateLogger("reconciler");
        var reconciler = new CountingReconciler(_ =>
        {
            reconcilerLog.Log(LogLevel.Information, new EventId(1), "step", null, (s, _) => s);
            return ReconcileResult.Done;
        });
        using var loop = new ControllerLoop("test", reconciler, 1, loggers.CreateLogger("loop"));
        using var stop = new CancellationTokenSource();
        var run = loop.RunAsync(stop.Token);

        loop.Enqueue("ns/a");
        await reconciler.WaitForAttemptsAsync(1);
        loop.Enqueue("ns/a");
        await reconciler.WaitForAttemptsAsync(2);
        await stop.CancelAsync();
        await run.WaitAsync(Generous);

        var steps = capture.Entries.Where(e => e.Category == "reconciler").ToList();
        Assert.Equal(2, steps.Count);
        Assert.All(steps, s => Assert.Equal(
            new[] { "controller=test", "namespace=ns", "name=a" },
            s.Scope.Where(f => f.Key != "reconcileID").Select(f => $"{f.Key}={f.Value}")));
        var ids = steps.Select(s => ReconcileId(s)).ToList();
        Assert.NotEqual(ids[0], ids[1]);
        Assert.All(ids, id => Assert.True(Guid.TryParse(id, out _), id));
        // The loop's own lines of a reconcile share that reconcile's id.
        Assert.All(ids, id => Assert.Equal(2, capture.Entries.Count(e => e.Category == "loop" && ReconcileId(e) == id)));
        Assert.DoesNotContain(capture.Entries, e => e.Category == "loop" && e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task A_failed_reconcile_is_one_line_with_the_api_status_as_fields_and_no_stack_trace()
    {
        using var capture = new CapturingProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(capture).SetMinimumLevel(LogLevel.Information));
        var reconciler = new CountingReconciler(attempt => attempt == 1
            ? throw new KubeApiException(new Status { Reason = "InternalError", Message = "etcdserver: leader changed" }, HttpStatusCode.InternalServerError)
            : ReconcileResult.Done);
        using var loop = new ControllerLoop("test", reconciler, 1, loggers.CreateLogger("loop"), new RateLimiterOptions { BaseDelay = TimeSpan.FromMilliseconds(10) });
        using var stop = new CancellationTokenSource();
        var run = loop.RunAsync(stop.Token);

        loop.Enqueue("ns/a");
        await reconciler.WaitForAttemptsAsync(2);
        await stop.CancelAsync();
        await run.WaitAsync(Generous);

        var failure = Assert.Single(capture.Entries);
        Assert.Equal(LogLevel.Warning, failure.Level);
        Assert.Null(failure.Exception);
        Assert.Equal(500, failure.Field("StatusCode"));
        Assert.Equal("InternalError", failure.Field("Reason"));
        Assert.Equal("etcdserver: leader changed", failure.Field("Error"));
        Assert.Equal(1, failure.Field("Attempt"));
        Assert.NotNull(ReconcileId(failure));
    }

    private static string? ReconcileId(Entry e) => e.Scope.FirstOrDefault(f => f.Key == "reconcileID").Value as string;

    private sealed record Entry(string Category, LogLevel Level, IReadOnlyList<KeyValuePair<string, object?>> State, Exception? Exception, IReadOnlyList<KeyValuePair<string, object?>> Scope)
    {
        public object? Field(string name) => State.FirstOrDefault(f => f.Key == name).Value;
    }

    private sealed class CountingReconciler(Func<int, ReconcileResult> step) : IReconciler
    {
        private int _attempts;

        public async Task WaitForAttemptsAsync(int count)
        {
            using var timeout = new CancellationTokenSource(Generous);
            while (Volatile.Read(ref _attempts) < count)
            {
                await Task.Delay(10, timeout.Token);
            }
        }

        public Task<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken)
        {
            // Counted after the step (also when it throws), so a waiter sees the attempt's own lines written.
            try
            {
                return Task.FromResult(step(Volatile.Read(ref _attempts) + 1));
            }
            finally
            {
                Interlocked.Increment(ref _attempts);
            }
        }
    }

    /// <summary>Records each entry with the fields of every scope active when it was written.</summary>
    private sealed class CapturingProvider : ILoggerProvider, ISupportExternalScope
    {
        private readonly ConcurrentQueue<Entry> _entries = new();
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public IReadOnlyList<Entry> Entries => [.. _entries];

        public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class CapturingLogger(CapturingProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var scope = new List<KeyValuePair<string, object?>>();
                owner._scopes.ForEachScope((s, fields) =>
                {
                    if (s is IEnumerable<KeyValuePair<string, object?>> pairs)
                    {
                        fields.AddRange(pairs);
                    }
                }, scope);
                var fields = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
                owner._entries.Enqueue(new Entry(category, logLevel, fields, exception, scope));
            }
        }
    }
}
