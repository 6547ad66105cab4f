namespace DataMover.Kube.Runtime;

/// <summary>A reconcile failure that retrying cannot fix; the key is not retried until it changes.</summary>
public sealed class TerminalReconcileException : Exception
{
    public TerminalReconcileException()
    {
    }

    public TerminalReconcileException(string message)
        : base(message)
    {
    }

    public TerminalReconcileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
