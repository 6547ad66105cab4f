namespace DataMover.Operator.Restore;

/// <summary>The phases of a DataMoverRestore, in order.</summary>
internal static class RestorePhase
{
    public const string Pending = "";
    /// <summary>An inspect Job reads the backup's manifest to size the new target PVC (secretName + path without size).</summary>
    public const string Inspecting = "Inspecting";
    public const string PreparingTarget = "PreparingTarget";
    public const string Restoring = "Restoring";
    public const string Completed = "Completed";
    public const string Failed = "Failed";

    public static bool IsTerminal(string? phase) => phase is Completed or Failed;

    /// <summary>The phase as a metric label: the empty phase is spelled "Pending".</summary>
    public static string Label(string? phase) => string.IsNullOrEmpty(phase) ? "Pending" : phase;
}
