namespace DataMover.Operator.Retention;

/// <summary>
/// One folder under a schedule's prefix as the mover's listing saw it: its manifest's start time and schedule uid when it
/// has a manifest, and whether it carries a prune tombstone (a prune that was interrupted after it began on the folder).
/// </summary>
internal sealed record BackupListing(string Folder, DateTimeOffset? StartTime, string? ScheduleUid, bool HasManifest, bool HasTombstone);
