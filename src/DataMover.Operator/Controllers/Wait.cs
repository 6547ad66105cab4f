namespace DataMover.Operator.Controllers;

/// <summary>
/// What a DataMover is waiting for. A blocked wait (Progressing=False) needs someone to act, so it is also a Warning
/// Event when it first appears; a progressing one is the normal course of a backup. A continuing one is the routine
/// wait of a phase, already said by the condition the phase opened with (<see cref="Continues"/>): it is written only
/// once the condition says something else, which keeps a backup's status writes to its phase changes.
/// </summary>
internal readonly record struct Wait(string Reason, string Message, bool IsBlocked, string? Continues = null)
{
    public static Wait Progressing(string reason, string message) => new(reason, message, IsBlocked: false);

    public static Wait Blocked(string reason, string message) => new(reason, message, IsBlocked: true);

    /// <summary>A progressing wait that goes unwritten while the Progressing reason is still <paramref name="opening"/>.</summary>
    public static Wait Continuing(string opening, string reason, string message) => new(reason, message, IsBlocked: false, opening);
}
