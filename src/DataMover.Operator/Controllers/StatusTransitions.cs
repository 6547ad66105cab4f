using DataMover.Kube.Models;
using DataMover.Operator.Api;
using Dm = DataMover.Operator.Api.DataMover;

namespace DataMover.Operator.Controllers;

/// <summary>
/// The next status for each kind of change, with the conditions kept consistent with the phase: Complete and
/// Failed exist from the first write (so <c>kubectl wait</c> has something to wait on), Progressing says what the
/// DataMover is doing or waiting for, and a terminal phase sets all three.
/// </summary>
internal static class StatusTransitions
{
    /// <summary>Into <paramref name="phase"/>, which starts now.</summary>
    public static DataMoverStatus Advance(DataMoverStatus status, Dm dm, DateTimeOffset now, string phase, string reason, string message) =>
        status with
        {
            Phase = phase,
            PhaseStartTime = now,
            ObservedGeneration = dm.Metadata.Generation,
            Conditions = Set(Initial(status.Conditions, dm, now), ConditionTypes.Progressing, true, reason, message, dm, now),
        };

    /// <summary>Same phase, with what it waits for.</summary>
    public static DataMoverStatus Report(DataMoverStatus status, Dm dm, DateTimeOffset now, Wait wait) =>
        status with
        {
            ObservedGeneration = dm.Metadata.Generation,
            Conditions = Set(Initial(status.Conditions, dm, now), ConditionTypes.Progressing, !wait.IsBlocked, wait.Reason, wait.Message, dm, now),
        };

    public static DataMoverStatus Complete(DataMoverStatus status, Dm dm, DateTimeOffset now)
    {
        var conditions = Set(status.Conditions, ConditionTypes.Complete, true, "BackupSucceeded", $"backed up clone {status.RestoredPvcName} to {Where(status)}", dm, now);
        conditions = Set(conditions, ConditionTypes.Failed, false, "BackupSucceeded", "", dm, now);
        conditions = Set(conditions, ConditionTypes.Progressing, false, "Completed", "backup completed", dm, now);
        return status with { Phase = DataMoverPhase.Completed, PhaseStartTime = now, CompletionTime = now, ObservedGeneration = dm.Metadata.Generation, Conditions = conditions };
    }

    public static DataMoverStatus Fail(DataMoverStatus status, Dm dm, DateTimeOffset now, string reason, string message)
    {
        var conditions = Set(status.Conditions, ConditionTypes.Failed, true, reason, message, dm, now);
        conditions = Set(conditions, ConditionTypes.Complete, false, reason, "", dm, now);
        conditions = Set(conditions, ConditionTypes.Progressing, false, "Failed", message, dm, now);
        return status with
        {
            Phase = DataMoverPhase.Failed,
            StartTime = status.StartTime ?? now,
            PhaseStartTime = now,
            CompletionTime = now,
            ObservedGeneration = dm.Metadata.Generation,
            Conditions = conditions,
        };
    }

    /// <summary>Where a backup went, for messages: the mover's report, else the recorded path and folder.</summary>
    public static string Where(DataMoverStatus status) => status.Destination ?? $"folder {FolderText(status)}";

    /// <summary>A destination folder for messages: the bucket root is "/".</summary>
    public static string FolderText(string? prefix) => string.IsNullOrEmpty(prefix) ? "/" : prefix + "/";

    /// <summary>The recorded destination for messages, <c>path/folder/</c>: status.destinationPrefix is the folder under spec.path.</summary>
    public static string FolderText(DataMoverStatus status) =>
        status.AcceptedSpec?.Path is { Length: > 0 } path ? path + "/" + (string.IsNullOrEmpty(status.DestinationPrefix) ? "" : status.DestinationPrefix + "/") : FolderText(status.DestinationPrefix);

    private static IReadOnlyList<Condition> Initial(IReadOnlyList<Condition>? conditions, Dm dm, DateTimeOffset now)
    {
        var list = conditions;
        if (Conditions.Find(list, ConditionTypes.Complete) is null)
        {
            list = Set(list, ConditionTypes.Complete, false, "InProgress", "backup not finished", dm, now);
        }

        if (Conditions.Find(list, ConditionTypes.Failed) is null)
        {
            list = Set(list, ConditionTypes.Failed, false, "InProgress", "", dm, now);
        }

        return list!;
    }

    private static IReadOnlyList<Condition> Set(IReadOnlyList<Condition>? conditions, string type, bool status, string reason, string message, Dm dm, DateTimeOffset now) =>
        Conditions.Set(conditions, type, status, reason, message, dm.Metadata.Generation, now);
}
