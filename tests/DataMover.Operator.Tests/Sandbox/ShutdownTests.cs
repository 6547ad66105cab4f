using DataMover.Kube.Client;

namespace DataMover.Operator.Tests.Sandbox;

/// <summary>The operator executable stopped with SIGTERM while a standby waits for its Lease.</summary>
[Collection(SandboxCollection.Name)]
public sealed class ShutdownTests(SandboxFixture fixture) : OperatorTestBase(fixture)
{
    private const string LeaseName = "datamover-operator-leader";

    // client-go's defaults, which the operator uses.
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan RetryPeriod = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Sigterm_exits_0_with_one_shutdown_line_and_releases_the_lease_to_the_standby()
    {
        await Support.OperatorIdentity.GrantLeaderElectionAsync(Fixture.Cluster, Ns);
        using var leader = StartOperator();
        var leaderIdentity = await WaitForHolderAsync(h => h.Length > 0);
        using var standby = StartOperator();
        await WaitUntilAsync(() => standby.Output.Any(l => l.Contains("Attempting to acquire lease", StringComparison.Ordinal)), "the standby never tried for the lease");

        var terminatedAt = DateTimeOffset.UtcNow;
        leader.Terminate();
        await leader.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, leader.ExitCode);
        Assert.Single(leader.Output, l => l.Contains($"DataMover operator {Hosting.OperatorVersion.Current} starting", StringComparison.Ordinal));
        var shutdown = Assert.Single(leader.Output, l => l.Contains("Shutting down", StringComparison.Ordinal));
        Assert.Contains("stopped taking work", shutdown, StringComparison.Ordinal);
        Assert.Contains("lease released", shutdown, StringComparison.Ordinal);

        await WaitForHolderAsync(h => h.Length > 0 && h != leaderIdentity);
        var lease = await Client.Resource(KubeResources.Leases).GetAsync(Ns, LeaseName);
        // Without the release the standby would have had to wait until the old lease expired: at the earliest a lease
        // duration after the leader's last renewal, which was at most a retry period before the signal.
        Assert.True(lease.Spec!.AcquireTime < terminatedAt + LeaseDuration - RetryPeriod, $"standby acquired at {lease.Spec.AcquireTime:O}, signal at {terminatedAt:O}");
        Assert.False(standby.HasExited);
    }

    private OperatorProcess StartOperator() => OperatorProcess.Start(
        ["--kubeconfig", Fixture.OperatorKubeconfigPath, "--namespace", Ns, "--leader-elect", "--metrics-bind-address", "0", "--health-probe-bind-address", "0", "--mover-image", "example.local/mover:test"],
        new Dictionary<string, string> { ["POD_NAMESPACE"] = Ns, ["POD_NAME"] = "operator-" + Guid.NewGuid().ToString("N")[..6] });

    private async Task<string> WaitForHolderAsync(Func<string, bool> condition)
    {
        var leases = Client.Resource(KubeResources.Leases);
        string holder = "";
        await WaitUntilAsync(async () =>
        {
            holder = (await leases.TryGetAsync(Ns, LeaseName))?.Spec?.HolderIdentity ?? "";
            return condition(holder);
        }, "the lease holder never changed as expected");
        return holder;
    }

    private static Task WaitUntilAsync(Func<bool> condition, string failure) => WaitUntilAsync(() => Task.FromResult(condition()), failure);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string failure)
    {
        // Generous: two operator processes start on a busy machine.
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(100);
        }
    }
}
