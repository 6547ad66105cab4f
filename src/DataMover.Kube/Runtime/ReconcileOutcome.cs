namespace DataMover.Kube.Runtime;

/// <summary>How a reconcile ended, as controller-runtime's <c>result</c> label names it.</summary>
public enum ReconcileOutcome
{
    /// <summary>Done until something changes.</summary>
    Success,

    /// <summary>Asked to run again after a delay.</summary>
    RequeueAfter,

    /// <summary>Threw; re-added with backoff.</summary>
    Error,

    /// <summary>Threw a terminal error; dropped (counted as an error too, as controller-runtime does).</summary>
    TerminalError,
}
