using System.Security.Cryptography;
using DataMover.Kube.Client;
using DataMover.Kube.Runtime;
using DataMover.Operator.Metrics;

namespace DataMover.Operator.Hosting;

/// <summary>Runs the controllers only while this process holds the leader Lease.</summary>
internal static class LeaderElection
{
    /// <summary>Returns true when the lease was released on the way out (a standby can take over at once).</summary>
    public static async Task<bool> RunAsync(KubeClient client, OperatorOptions options, ILoggerFactory loggers, ControllerRuntimeMetrics metrics, Func<CancellationToken, Task> onStartedLeading, CancellationToken cancellationToken)
    {
        var podNamespace = Environment.GetEnvironmentVariable("POD_NAMESPACE");
        var ns = options.LeaderElectionNamespace
            ?? (string.IsNullOrEmpty(podNamespace) ? null : podNamespace)
            ?? options.Namespace
            ?? client.DefaultNamespace;
        var identity = (Environment.GetEnvironmentVariable("POD_NAME") is { Length: > 0 } pod ? pod : Environment.MachineName)
            + "_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var released = false;
        var elector = new LeaderElector(client, new LeaderElectionOptions
        {
            LeaseName = options.LeaderElectionId,
            LeaseNamespace = ns,
            Identity = identity,
        }, options.Time, loggers.CreateLogger<LeaderElector>());
        metrics.StandingBy(options.LeaderElectionId);
        try
        {
            await elector.RunAsync(async leading =>
            {
                metrics.StartedLeading(options.LeaderElectionId);
                try
                {
                    await onStartedLeading(leading);
                }
                finally
                {
                    metrics.StandingBy(options.LeaderElectionId);
                }
            }, cancellationToken);
        }
        finally
        {
            released = elector.LeaseReleased;
            metrics.StandingBy(options.LeaderElectionId);
        }

        return released;
    }
}
