using DataMover.Kube.Client;

namespace DataMover.Operator.Hosting;

/// <summary>Runs the controllers only while this process holds the leader Lease.</summary>
internal static partial class LeaderElection
{
    public static async Task RunAsync(KubeClient client, OperatorOptions options, ILoggerFactory loggers, Func<CancellationToken, Task> onStartedLeading, CancellationToken cancellationToken)
    {
        // Placeholder until the shared LeaderElector lands: run as the only leader.
        LogNoElection(loggers.CreateLogger("DataMover.Operator.LeaderElection"), options.LeaderElectionId, client.DefaultNamespace);
        await onStartedLeading(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Leader election ({Id} in {Namespace}) is not available in this build; running as leader")]
    private static partial void LogNoElection(ILogger logger, string id, string @namespace);
}
