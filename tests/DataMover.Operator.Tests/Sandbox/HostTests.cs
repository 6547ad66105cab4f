using DataMover.Kube.Client;
using DataMover.Operator.Controllers;

namespace DataMover.Operator.Tests.Sandbox;

[Collection(SandboxCollection.Name)]
public sealed class HostTests(SandboxFixture fixture) : OperatorTestBase(fixture)
{
    [Fact]
    public async Task WithLeaderElectionTheLeaderHoldsALeaseAndReconciles()
    {
        await CreateSourceAsync();
        await StartOperatorAsync(leaderElect: true);
        await CreateDataMoverAsync("elected");
        await WaitForPhaseAsync("elected", DataMoverPhase.CreatingClonedPvc);
        var lease = await Client.Resource(KubeResources.Leases).GetAsync(Ns, "datamover-operator-leader");
        Assert.False(string.IsNullOrEmpty(lease.Spec?.HolderIdentity));
    }

    [Fact]
    public async Task DisabledListenersHaveNoUrl()
    {
        await using var host = await Hosting.OperatorHost.StartAsync(new Hosting.OperatorOptions
        {
            KubeconfigPath = Fixture.OperatorKubeconfigPath,
            Namespace = Ns,
            MetricsBindAddress = "0",
            HealthProbeBindAddress = "0",
            LoggerFactory = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance,
        });
        Assert.Null(host.MetricsUrl);
        Assert.Null(host.HealthUrl);
        using var cts = new CancellationTokenSource(Timeout);
        await host.WaitUntilReadyAsync(cts.Token);
        Assert.True(host.IsReady);
    }
}
