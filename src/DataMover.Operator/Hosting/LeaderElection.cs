using System.Security.Cryptography;
using DataMover.Kube.Client;
using DataMover.Kube.Runtime;

namespace DataMover.Operator.Hosting;

/// <summary>Runs the controllers only while this process holds the leader Lease.</summary>
internal static class LeaderElection
{
    public static async Task RunAsync(KubeClient client, OperatorOptions options, ILoggerFactory loggers, Func<CancellationToken, Task> onStartedLeading, CancellationToken cancellationToken)
    {
        var podNamespace = Environment.GetEnvironmentVariable("POD_NAMESPACE");
        var ns = options.LeaderElectionNamespace
            ?? (string.IsNullOrEmpty(podNamespace) ? null : podNamespace)
            ?? options.Namespace
            ?? client.DefaultNamespace;
        var identity = (Environment.GetEnvironmentVariable("POD_NAME") is { Length: > 0 } pod ? pod : Environment.MachineName)
            + "_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var elector = new LeaderElector(client, new LeaderElectionOptions
        {
            LeaseName = options.LeaderElectionId,
            LeaseNamespace = ns,
            Identity = identity,
        }, options.Time, loggers.CreateLogger<LeaderElector>());
        await elector.RunAsync(onStartedLeading, cancellationToken);
    }
}
