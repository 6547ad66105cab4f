namespace DataMover.Operator.Controllers;

/// <summary>The phases of a DataMover, in order, and their index for the datamover_current_phase gauge.</summary>
internal static class DataMoverPhase
{
    public const string Pending = "";
    public const string CreatingClonedPvc = "CreatingClonedPVC";
    public const string ClonedPvcReady = "ClonedPVCReady";
    public const string CreatingPod = "CreatingPod";
    public const string CleaningUp = "CleaningUp";
    public const string Completed = "Completed";
    public const string Failed = "Failed";

    private static readonly string[] Ordered = [Pending, CreatingClonedPvc, ClonedPvcReady, CreatingPod, CleaningUp, Completed, Failed];

    /// <summary>0 pending, 1 CreatingClonedPVC, 2 ClonedPVCReady, 3 CreatingPod, 4 CleaningUp, 5 Completed, 6 Failed.</summary>
    public static int Index(string? phase)
    {
        var i = Array.IndexOf(Ordered, phase ?? "");
        return i < 0 ? 0 : i;
    }

    public static bool IsTerminal(string? phase) => phase is Completed or Failed;

    /// <summary>The phase as a metric label: the empty phase is spelled "Pending".</summary>
    public static string Label(string? phase) => string.IsNullOrEmpty(phase) ? "Pending" : phase;
}
