namespace DataMover.Bench;

/// <summary>What a <see cref="BackupTimeline"/> watches besides the DataMovers.</summary>
internal enum WatchScope
{
    /// <summary>Only the DataMovers: one watch stream, for scenarios that time whole backups.</summary>
    DataMovers,

    /// <summary>Also the clone PVCs, mover Jobs and pods: three more streams, for splitting a backup into its parts.</summary>
    DataMoversAndParts,
}
