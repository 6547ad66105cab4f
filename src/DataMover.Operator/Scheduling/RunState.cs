namespace DataMover.Operator.Scheduling;

/// <summary>Where a scheduled DataMover stands, as far as the schedule cares.</summary>
internal enum RunState
{
    Active,
    Succeeded,
    Failed,
}
