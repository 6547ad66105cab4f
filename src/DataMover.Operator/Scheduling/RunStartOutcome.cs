namespace DataMover.Operator.Scheduling;

/// <summary>What became of a due run in one reconcile.</summary>
internal enum RunStartOutcome
{
    /// <summary>Nothing was due.</summary>
    NotDue,

    /// <summary>Its DataMover was created, or found already created by an earlier pass.</summary>
    Started,

    /// <summary>Not started because another run is active (concurrencyPolicy Forbid).</summary>
    Skipped,

    /// <summary>The API server refused its DataMover; the time stays due and is retried.</summary>
    Failed,
}
