namespace DataMover.Operator.Controllers;

/// <summary>
/// What a DataMover is waiting for. A blocked wait (Progressing=False) needs someone to act, so it is also a Warning
/// Event when it first appears; a progressing one is the normal course of a backup.
/// </summary>
internal readonly record struct Wait(string Reason, string Message, bool IsBlocked)
{
    public static Wait Progressing(string reason, string message) => new(reason, message, IsBlocked: false);

    public static Wait Blocked(string reason, string message) => new(reason, message, IsBlocked: true);
}
