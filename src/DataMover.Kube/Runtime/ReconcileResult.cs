namespace DataMover.Kube.Runtime;

/// <summary>What a reconcile asks of the loop: nothing more, or another pass after a delay.</summary>
public readonly record struct ReconcileResult(TimeSpan? RequeueAfter)
{
    /// <summary>Done until something changes.</summary>
    public static ReconcileResult Done => default;

    /// <summary>Run again after <paramref name="delay"/> (a timer the world cannot signal, such as a schedule).</summary>
    public static ReconcileResult After(TimeSpan delay) => new(delay);
}
