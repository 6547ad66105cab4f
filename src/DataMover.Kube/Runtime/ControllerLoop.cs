using DataMover.Kube.Client;
using Microsoft.Extensions.Logging;

namespace DataMover.Kube.Runtime;

/// <summary>
/// Runs a reconciler over a work queue with N workers, following controller-runtime's contract:
/// success forgets the key's backoff, a requeue-after re-adds it later, an exception of any type re-adds it with
/// backoff, a terminal exception drops it. A worker survives every exception a reconciler throws.
/// </summary>
public sealed partial class ControllerLoop : IDisposable
{
    private readonly string _name;
    private readonly IReconciler _reconciler;
    private readonly int _workers;
    private readonly ILogger _logger;
    private readonly IControllerMetrics? _metrics;
    private readonly TimeProvider _time;
    private int _finishedAfterStop;
    private int _abandoned;

    public ControllerLoop(string name, IReconciler reconciler, int workers, ILogger logger, RateLimiterOptions? rateLimits = null, TimeProvider? time = null, IControllerMetrics? metrics = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        _name = name;
        _reconciler = reconciler;
        _workers = workers;
        _logger = logger;
        _metrics = metrics;
        _time = time ?? TimeProvider.System;
        Queue = new WorkQueue<string>(rateLimits, time, name, metrics);
        metrics?.WorkersConfigured(name, workers);
    }

    public WorkQueue<string> Queue { get; }

    /// <summary>Asks for a reconcile of <paramref name="key"/>.</summary>
    public void Enqueue(string key) => Queue.Add(key);

    /// <summary>Processes keys until cancelled; in-flight reconciles see the same token, so they stop at once.</summary>
    public Task<LoopShutdown> RunAsync(CancellationToken cancellationToken) => RunAsync(cancellationToken, cancellationToken);

    /// <summary>
    /// Processes keys until <paramref name="stopTakingWork"/> is cancelled; then hands out no further key and waits for
    /// the reconciles in flight, which see <paramref name="abandonInFlight"/> (the caller cancels it when its grace
    /// period ends). Returns how many in-flight reconciles finished and how many were abandoned.
    /// </summary>
    public async Task<LoopShutdown> RunAsync(CancellationToken stopTakingWork, CancellationToken abandonInFlight)
    {
        using var registration = stopTakingWork.Register(Queue.ShutDown);
        var workers = Enumerable.Range(0, _workers).Select(_ => Task.Run(() => WorkAsync(stopTakingWork, abandonInFlight), CancellationToken.None));
        await Task.WhenAll(workers);
        return new LoopShutdown(Volatile.Read(ref _finishedAfterStop), Volatile.Read(ref _abandoned));
    }

    public void Dispose() => Queue.Dispose();

    private async Task WorkAsync(CancellationToken stopTakingWork, CancellationToken abandonInFlight)
    {
        while (true)
        {
            var (key, shutDown) = await Queue.GetAsync(CancellationToken.None);
            if (shutDown)
            {
                return;
            }

            if (stopTakingWork.IsCancellationRequested)
            {
                // The queue still drains what was queued before the stop; none of it starts now.
                Queue.Done(key);
                continue;
            }

            using var scope = _logger.BeginScope(new ReconcileScope(_name, key));
            _metrics?.ReconcileStarted(_name);
            var started = _time.GetTimestamp();
            var outcome = ReconcileOutcome.Error;
            try
            {
                LogReconciling(_logger, _name, key);
                var result = await _reconciler.ReconcileAsync(key, abandonInFlight);
                LogReconciled(_logger, _name, key);
                Queue.Forget(key);
                outcome = result.RequeueAfter is null ? ReconcileOutcome.Success : ReconcileOutcome.RequeueAfter;
                if (result.RequeueAfter is { } delay)
                {
                    Queue.AddAfter(key, delay);
                }

                CountFinished(stopTakingWork);
            }
            catch (OperationCanceledException) when (abandonInFlight.IsCancellationRequested)
            {
                // Shutting down: reconcilers are idempotent, the next leader (or this process restarted) picks it up.
                Interlocked.Increment(ref _abandoned);
            }
            catch (TerminalReconcileException e)
            {
                outcome = ReconcileOutcome.TerminalError;
                Queue.Forget(key);
                LogTerminal(_logger, _name, key, e.Message);
                CountFinished(stopTakingWork);
            }
            catch (Exception e)
            {
                // Any type, not only API errors: a bug or an unexpected answer must lead to a retry, never to a lost key.
                // This is the one line a failed reconcile writes; reconcilers let errors propagate without logging them.
                LogFailure(key, Queue.NumRequeues(key) + 1, e);
                Queue.AddRateLimited(key);
                CountFinished(stopTakingWork);
            }
            finally
            {
                _metrics?.ReconcileFinished(_name, outcome, _time.GetElapsedTime(started));
                Queue.Done(key);
            }
        }
    }

    private void CountFinished(CancellationToken stopTakingWork)
    {
        if (stopTakingWork.IsCancellationRequested)
        {
            Interlocked.Increment(ref _finishedAfterStop);
        }
    }

    private void LogFailure(string key, int attempt, Exception e)
    {
        if (e is KubeApiException api)
        {
            // The server's answer says all there is; a stack trace through the client would only bury it.
            LogApiFailed(_logger, _name, key, attempt, (int)api.StatusCode, api.Reason ?? api.StatusCode.ToString(), api.Status.Message ?? "");
        }
        else
        {
            LogFailed(_logger, _name, key, attempt, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Controller}: reconciling {Key}")]
    private static partial void LogReconciling(ILogger logger, string controller, string key);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Controller}: reconcile of {Key} succeeded")]
    private static partial void LogReconciled(ILogger logger, string controller, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Controller}: reconcile of {Key} failed (attempt {Attempt}); retrying with backoff: API error {StatusCode} {Reason}: {Error}")]
    private static partial void LogApiFailed(ILogger logger, string controller, string key, int attempt, int statusCode, string reason, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Controller}: reconcile of {Key} failed (attempt {Attempt}); retrying with backoff")]
    private static partial void LogFailed(ILogger logger, string controller, string key, int attempt, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Controller}: reconcile of {Key} failed terminally: {Reason}")]
    private static partial void LogTerminal(ILogger logger, string controller, string key, string reason);
}
