namespace DataMover.Operator.Scheduling;

/// <summary>The outcome of a due run under a concurrency policy.</summary>
internal enum ConcurrencyDecision
{
    Start,
    Skip,
    ReplaceActive,
}
