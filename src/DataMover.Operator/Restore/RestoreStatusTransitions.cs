using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;

namespace DataMover.Operator.Restore;

/// <summary>
/// The next status of a restore for each kind of change, with conditions as a DataMover keeps them: Complete and
/// Failed from the first write (so <c>kubectl wait --for=condition=Complete</c> has something to wait on),
/// Progressing for what it does or waits for, and a terminal phase sets all three.
/// </summary>
internal static class RestoreStatusTransitions
{
    public static DataMoverRestoreStatus Advance(DataMoverRestoreStatus status, DataMoverRestore restore, DateTimeOffset now, string phase, string reason, string message) =>
        status with
        {
            Phase = phase,
            PhaseStartTime = now,
            ObservedGeneration = restore.Metadata.Generation,
            Conditions = Set(Initial(status.Conditions, restore, now), ConditionTypes.Progressing, true, reason, message, restore, now),
        };

    public static DataMoverRestoreStatus Report(DataMoverRestoreStatus status, DataMoverRestore restore, DateTimeOffset now, Wait wait) =>
        status with
        {
            ObservedGeneration = restore.Metadata.Generation,
            Conditions = Set(Initial(status.Conditions, restore, now), ConditionTypes.Progressing, !wait.IsBlocked, wait.Reason, wait.Message, restore, now),
        };

    public static DataMoverRestoreStatus Complete(DataMoverRestoreStatus status, DataMoverRestore restore, DateTimeOffset now, string message)
    {
        var conditions = Set(Initial(status.Conditions, restore, now), ConditionTypes.Complete, true, "RestoreSucceeded", message, restore, now);
        conditions = Set(conditions, ConditionTypes.Failed, false, "RestoreSucceeded", "", restore, now);
        conditions = Set(conditions, ConditionTypes.Progressing, false, "Completed", "restore completed", restore, now);
        return status with
        {
            Phase = RestorePhase.Completed,
            PhaseStartTime = now,
            CompletionTime = now,
            ObservedGeneration = restore.Metadata.Generation,
            Conditions = conditions,
        };
    }

    public static DataMoverRestoreStatus Fail(DataMoverRestoreStatus status, DataMoverRestore restore, DateTimeOffset now, string reason, string message)
    {
        var conditions = Set(Initial(status.Conditions, restore, now), ConditionTypes.Failed, true, reason, message, restore, now);
        conditions = Set(conditions, ConditionTypes.Complete, false, reason, "", restore, now);
        conditions = Set(conditions, ConditionTypes.Progressing, false, "Failed", message, restore, now);
        return status with
        {
            Phase = RestorePhase.Failed,
            StartTime = status.StartTime ?? now,
            PhaseStartTime = now,
            CompletionTime = now,
            ObservedGeneration = restore.Metadata.Generation,
            Conditions = conditions,
        };
    }

    /// <summary>What is restored, for messages: "folder x of prefix p", "the latest backup under p".</summary>
    public static string What(DataMoverRestoreStatus status)
    {
        var prefix = string.IsNullOrEmpty(status.Path) ? "the bucket root" : $"\"{status.Path}\"";
        return status.RequestedFolder switch
        {
            RestorePath.Latest when status.Folder is { } folder => $"backup \"{folder}\" (latest) under {prefix}",
            RestorePath.Latest => $"the latest backup under {prefix}",
            null or "" => prefix,
            var folder => $"backup \"{folder}\" under {prefix}",
        };
    }

    private static IReadOnlyList<Condition> Initial(IReadOnlyList<Condition>? conditions, DataMoverRestore restore, DateTimeOffset now)
    {
        var list = conditions;
        if (Conditions.Find(list, ConditionTypes.Complete) is null)
        {
            list = Set(list, ConditionTypes.Complete, false, "InProgress", "restore not finished", restore, now);
        }

        if (Conditions.Find(list, ConditionTypes.Failed) is null)
        {
            list = Set(list, ConditionTypes.Failed, false, "InProgress", "", restore, now);
        }

        return list!;
    }

    private static IReadOnlyList<Condition> Set(IReadOnlyList<Condition>? conditions, string type, bool status, string reason, string message, DataMoverRestore restore, DateTimeOffset now) =>
        Conditions.Set(conditions, type, status, reason, message, restore.Metadata.Generation, now);
}
