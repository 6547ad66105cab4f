using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;
using DataMover.Operator.Restore;

namespace DataMover.Operator.Retention;

/// <summary>
/// Keeps a schedule's prune and the restores that may read what it deletes apart: a prune Job is not started while an
/// unfinished DataMoverRestore in the namespace reads from under the schedule's path, and a restore does not start its
/// restore Job while a prune Job of such a schedule exists. "Under the path" is as the operator can know it, like
/// <see cref="MirrorDestinationGate"/>: the same Secret, and paths that are equal or nested; a restore whose source is
/// not known yet (its DataMover not seen) is taken to read from there.
/// </summary>
/// <remarks>
/// Both sides wait on what exists in the caches, so the one created first wins; a restore and a prune created in the
/// same instant could both pass. The mover narrows that further: a restore never picks a folder with a prune tombstone.
/// </remarks>
internal static class PruneRestoreGate
{
    /// <summary>The schedule's reason while a restore holds its prune back.</summary>
    public const string PruneWaitingForRestore = "PruneWaitingForRestore";

    /// <summary>The restore's Progressing reason while a prune holds its restore Job back.</summary>
    public const string RestoreWaitingForPrune = "RestoreWaitingForPrune";

    /// <summary>The unfinished restores that hold back a prune of <paramref name="schedule"/>, by name.</summary>
    /// <param name="schedule">The schedule about to create a prune Job.</param>
    /// <param name="restores">The cache's restores in the schedule's namespace.</param>
    /// <param name="dataMover">Looks up a DataMover of the namespace by name (a restore's fromDataMover source).</param>
    public static IReadOnlyList<string> RestoresBlocking(DataMoverSchedule schedule, IEnumerable<DataMoverRestore> restores, Func<string, Api.DataMover?> dataMover)
    {
        var secret = schedule.Spec?.SecretName ?? "";
        var path = BucketPath.Normalize(schedule.Spec?.Path);
        return [.. restores
            .Where(r => r.Metadata.DeletionTimestamp is null && !RestorePhase.IsTerminal(r.Status?.Phase ?? RestorePhase.Pending))
            .Where(r => ReadsFrom(r, dataMover) is not { } source || Overlaps(source, secret, path))
            .Select(r => r.Metadata.Name ?? "")
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>The prune Jobs that hold back <paramref name="restore"/>'s restore Job, by name.</summary>
    /// <param name="restore">The restore about to create its restore Job (its source is recorded in status).</param>
    /// <param name="jobs">The cache's Jobs in the restore's namespace.</param>
    public static IReadOnlyList<string> PrunesBlocking(DataMoverRestore restore, IEnumerable<Job> jobs)
    {
        var status = restore.Status ?? new DataMoverRestoreStatus();
        var source = new Source(status.SecretName ?? "", status.Path ?? "");
        return [.. jobs
            .Where(IsActivePrune)
            .Where(j => Overlaps(source, j.Metadata.Annotation(PruneJobBuilder.SecretAnnotation) ?? "", j.Metadata.Annotation(PruneJobBuilder.PathAnnotation) ?? ""))
            .Select(j => j.Metadata.Name ?? "")
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>A prune Job of this operator that has not finished (a finished one is deleted by its schedule right after).</summary>
    public static bool IsActivePrune(Job job) =>
        job.Metadata.Label(DataMoverLabels.CreatedBy) == DataMoverLabels.OperatorName
        && PruneJobBuilder.IsPruneComponent(job.Metadata.Label(DataMoverLabels.Component))
        && job.Metadata.DeletionTimestamp is null
        && !(job.Status?.Conditions ?? []).Any(c => c.Type is "Complete" or "Failed" && c.Status == "True");

    /// <summary>The Secret and path a restore reads from; null when it cannot be known yet.</summary>
    private static Source? ReadsFrom(DataMoverRestore restore, Func<string, Api.DataMover?> dataMover)
    {
        if (restore.Status is { SecretName: { Length: > 0 } recordedSecret } recorded)
        {
            return new Source(recordedSecret, recorded.Path ?? "");
        }

        var spec = restore.Spec?.Source;
        if (spec?.Path is { Length: > 0 } sourcePath && spec.SecretName is { Length: > 0 } secret)
        {
            return new Source(secret, RestorePath.Split(sourcePath).Prefix);
        }

        if (spec?.FromDataMover is { Length: > 0 } name && dataMover(name) is { } dm && (dm.Status?.AcceptedSpec ?? dm.Spec) is { } dmSpec)
        {
            return new Source(string.IsNullOrEmpty(spec.SecretName) ? dmSpec.SecretName ?? "" : spec.SecretName, BucketPath.Normalize(dmSpec.Path));
        }

        return null;
    }

    /// <summary>
    /// The restore's prefix and the schedule's are equal or nested. A restore's prefix may also be one backup folder
    /// itself (source.path without "/latest"): that is nested under the schedule's path too.
    /// </summary>
    private static bool Overlaps(Source restore, string scheduleSecret, string schedulePath) =>
        restore.Secret == scheduleSecret && BackupFolderPlanner.Nests(restore.Path, schedulePath);

    private sealed record Source(string Secret, string Path);
}
