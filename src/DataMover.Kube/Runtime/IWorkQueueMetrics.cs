namespace DataMover.Kube.Runtime;

/// <summary>
/// Receives a work queue's measurements as client-go's workqueue metrics provider does (adds, depth, time queued,
/// time worked, retries). The Kube library has no metrics library of its own; the operator implements this.
/// </summary>
public interface IWorkQueueMetrics
{
    /// <summary>A key became pending (client-go counts it when it is newly dirty, depth included).</summary>
    void Added(string queue);

    /// <summary>A key was handed to a worker after waiting <paramref name="waited"/> since it became pending.</summary>
    void Handed(string queue, TimeSpan waited);

    /// <summary>A worker finished a key it held for <paramref name="worked"/>.</summary>
    void Worked(string queue, TimeSpan worked);

    /// <summary>A key was re-added with backoff after a failure.</summary>
    void Retried(string queue);

    /// <summary>Lets the metrics read the queue when scraped (depth and work in progress change without an event).</summary>
    void Track(string queue, Func<WorkQueueSnapshot> probe);
}
