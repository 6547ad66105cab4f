namespace DataMover.Operator.Scheduling;

/// <summary>Labels and annotations put on the DataMovers a schedule creates.</summary>
internal static class ScheduleLabels
{
    public const string Schedule = "datamover.a-cup-of.coffee/schedule";
    public const string CreatedBy = "app.kubernetes.io/created-by";
    public const string CreatedByValue = "datamover-operator";
    public const string ScheduledAt = "datamover.a-cup-of.coffee/scheduled-at";
}
