using Microsoft.Extensions.Logging;

namespace DataMover.Kube.Runtime;

/// <summary>
/// Runs a reconciler over a work queue with N workers, following controller-runtime's contract:
/// success forgets the key's backoff, a requeue-after re-adds it later, an exception re-adds it with backoff,
/// a terminal exception drops it.
/// </summary>
public sealed partial class ControllerLoop : IDisposable
{
    private readonly string _name;
    private readonly IReconciler _reconciler;
    private readonly int _workers;
    private readonly ILogger _logger;

    public ControllerLoop(string name, IReconciler reconciler, int workers, ILogger logger, RateLimiterOptions? rateLimits = null, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        _name = name;
        _reconciler = reconciler;
        _workers = workers;
        _logger = logger;
        Queue = new WorkQueue<string>(rateLimits, time);
    }

    public WorkQueue<string> Queue { get; }

    /// <summary>Asks for a reconcile of <paramref name="key"/>.</summary>
    public void Enqueue(string key) => Queue.Add(key);

    /// <summary>Processes keys until cancelled; then lets in-flight reconciles finish and returns.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.Register(Queue.ShutDown);
        var workers = Enumerable.Range(0, _workers).Select(_ => Task.Run(() => WorkAsync(cancellationToken), CancellationToken.None));
        await Task.WhenAll(workers);
    }

    public void Dispose() => Queue.Dispose();

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var (key, shutDown) = await Queue.GetAsync(CancellationToken.None);
            if (shutDown)
            {
                return;
            }

            try
            {
                var result = await _reconciler.ReconcileAsync(key, cancellationToken);
                Queue.Forget(key);
                if (result.RequeueAfter is { } delay)
                {
                    Queue.AddAfter(key, delay);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Shutting down: the next leader reconciles it.
            }
            catch (TerminalReconcileException e)
            {
                Queue.Forget(key);
                LogTerminal(_logger, _name, key, e.Message);
            }
            catch (Exception e)
            {
                LogFailed(_logger, _name, key, Queue.NumRequeues(key) + 1, e);
                Queue.AddRateLimited(key);
            }
            finally
            {
                Queue.Done(key);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Controller}: reconcile of {Key} failed (attempt {Attempt}); retrying with backoff")]
    private static partial void LogFailed(ILogger logger, string controller, string key, int attempt, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Controller}: reconcile of {Key} failed terminally: {Reason}")]
    private static partial void LogTerminal(ILogger logger, string controller, string key, string reason);
}
