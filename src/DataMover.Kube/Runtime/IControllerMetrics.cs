namespace DataMover.Kube.Runtime;

/// <summary>
/// Receives a controller loop's measurements under controller-runtime's names (reconciles by result, errors, time,
/// workers), and its work queue's. The operator implements this; a loop without one measures nothing.
/// </summary>
public interface IControllerMetrics : IWorkQueueMetrics
{
    /// <summary>The loop runs <paramref name="workers"/> workers at most.</summary>
    void WorkersConfigured(string controller, int workers);

    /// <summary>A worker started a reconcile.</summary>
    void ReconcileStarted(string controller);

    /// <summary>A worker finished a reconcile after <paramref name="elapsed"/>.</summary>
    void ReconcileFinished(string controller, ReconcileOutcome outcome, TimeSpan elapsed);
}
