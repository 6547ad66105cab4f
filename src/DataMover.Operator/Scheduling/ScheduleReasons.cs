namespace DataMover.Operator.Scheduling;

/// <summary>Condition types, condition reasons and event reasons of DataMoverSchedules.</summary>
internal static class ScheduleReasons
{
    public const string ReadyCondition = "Ready";
    public const string ScheduleValidCondition = "ScheduleValid";

    public const string Valid = "Valid";
    public const string Scheduled = "Scheduled";
    public const string InvalidSchedule = "InvalidSchedule";
    public const string InvalidTimeZone = "InvalidTimeZone";
    public const string Suspended = "Suspended";

    public const string RunCreated = "RunCreated";
    public const string RunSkipped = "RunSkipped";
    public const string RunReplaced = "RunReplaced";
    public const string RunCreationFailed = "RunCreationFailed";
    public const string MissedSchedule = "MissedSchedule";
    public const string HistoryPruned = "HistoryPruned";
    public const string RetentionNeedsTimestampFolders = "RetentionNeedsTimestampFolders";
}
