namespace DataMover.Operator.Controllers;

/// <summary>An Event (and log line) announcing a status change; sent only by the write that made the change.</summary>
internal sealed record Notice(bool IsWarning, string Reason, string Message)
{
    public static Notice Normal(string reason, string message) => new(IsWarning: false, reason, message);

    public static Notice Warning(string reason, string message) => new(IsWarning: true, reason, message);
}
