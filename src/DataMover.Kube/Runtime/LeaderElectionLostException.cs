namespace DataMover.Kube.Runtime;

/// <summary>
/// The leader could not renew its lease within the renew deadline. Another process may already be leading,
/// so the host must stop (exit) rather than carry on.
/// </summary>
public sealed class LeaderElectionLostException : Exception
{
    public LeaderElectionLostException()
    {
    }

    public LeaderElectionLostException(string message)
        : base(message)
    {
    }

    public LeaderElectionLostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
