namespace DataMover.Operator.Retention;

/// <summary>The schedule's Retention condition and the reasons and events of its prunes.</summary>
internal static class RetentionReasons
{
    /// <summary>True: the latest prune (or dry run) succeeded; False: it failed or waits; Unknown: one is running.</summary>
    public const string Condition = "Retention";

    public const string Pruned = "Pruned";
    public const string DryRun = "DryRun";
    public const string Pruning = "Pruning";
    public const string RetentionFailed = "RetentionFailed";
    public const string PruneWaitingForRestore = PruneRestoreGate.PruneWaitingForRestore;
}
