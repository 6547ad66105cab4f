namespace DataMover.Kube.Runtime;

/// <summary>
/// Drives one object toward its desired state. Level-triggered: it is given only a key and must read the
/// current state, so it is safe to run any number of times, in any order, after a crash at any instant.
/// </summary>
public interface IReconciler
{
    /// <summary>
    /// Reconciles the object with <paramref name="key"/> ("namespace/name"). Throwing retries with per-key backoff;
    /// throwing <see cref="TerminalReconcileException"/> does not retry.
    /// </summary>
    Task<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken);
}
