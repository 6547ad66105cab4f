using System.Globalization;

namespace DataMover.Operator.Scheduling;

/// <summary>A DataMover created by a schedule, with its scheduled time and state.</summary>
internal sealed record ScheduledRun(Api.DataMover Mover, DateTimeOffset ScheduledTime, RunState State)
{
    public string Name => Mover.Metadata.Name ?? "";

    public static ScheduledRun From(Api.DataMover mover) => new(mover, ScheduledTimeOf(mover), StateOf(mover));

    /// <summary>Completed/Failed phase, or a Complete/Failed condition for a controller that sets only conditions.</summary>
    public static RunState StateOf(Api.DataMover mover)
    {
        switch (mover.Status?.Phase)
        {
            case "Completed":
                return RunState.Succeeded;
            case "Failed":
                return RunState.Failed;
        }

        var conditions = mover.Status?.Conditions ?? [];
        if (conditions.Any(c => c.Type == "Complete" && c.Status == "True"))
        {
            return RunState.Succeeded;
        }

        return conditions.Any(c => c.Type == "Failed" && c.Status == "True") ? RunState.Failed : RunState.Active;
    }

    /// <summary>The scheduled-at annotation; the creation time for a DataMover that lost it.</summary>
    private static DateTimeOffset ScheduledTimeOf(Api.DataMover mover) =>
        DateTimeOffset.TryParse(mover.Metadata.Annotation(ScheduleLabels.ScheduledAt), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : mover.Metadata.CreationTimestamp ?? DateTimeOffset.MinValue;
}
