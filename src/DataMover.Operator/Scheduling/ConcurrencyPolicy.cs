namespace DataMover.Operator.Scheduling;

/// <summary>What to do when a run is due while earlier runs are still active.</summary>
internal enum ConcurrencyPolicy
{
    /// <summary>Skip the new run.</summary>
    Forbid,

    /// <summary>Run both.</summary>
    Allow,

    /// <summary>Delete the active runs, then start the new one.</summary>
    Replace,
}
