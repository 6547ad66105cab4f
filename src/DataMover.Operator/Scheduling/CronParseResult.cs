namespace DataMover.Operator.Scheduling;

/// <summary>A parsed schedule, or why it could not be parsed (a condition reason and a message for humans).</summary>
internal sealed record CronParseResult(CronSchedule? Schedule, string? Reason, string? Message)
{
    public static CronParseResult Valid(CronSchedule schedule) => new(schedule, null, null);

    public static CronParseResult Invalid(string reason, string message) => new(null, reason, message);
}
