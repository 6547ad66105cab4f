namespace DataMover.Operator.Retention;

/// <summary>
/// What a prune does: the complete backups it keeps (newest first), the ones it deletes, and the folders of earlier
/// prunes it finishes (tombstone, no manifest).
/// </summary>
internal sealed record RetentionPlan(
    IReadOnlyList<BackupListing> Keep, IReadOnlyList<BackupListing> Delete, IReadOnlyList<string> FinishInterrupted)
{
    /// <summary>The oldest kept backup, for status; null when nothing of this schedule is complete.</summary>
    public BackupListing? OldestKept => Keep.Count == 0 ? null : Keep[^1];
}
