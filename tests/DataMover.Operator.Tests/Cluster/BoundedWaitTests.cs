using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;

namespace DataMover.Operator.Tests.Cluster;

/// <summary>Every wait of a backup ends: in Failed with a reason naming what was awaited, and nothing left running.</summary>
[Collection(ClusterCollection.Name)]
public sealed class BoundedWaitTests(ClusterFixture fixture) : ClusterTestBase(fixture)
{
    [Fact]
    public async Task ASourceThatNeverAppearsFailsAfterSourceReady()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SecretAsync(ns, "storage-credentials");
        await CreateAsync(ns, "nosource", new DataMoverSpec { SourcePvc = "never", SecretName = "storage-credentials", Timeouts = new DataMoverTimeouts { SourceReady = "2s" } });
        var failed = Failed(await PhaseAsync(ns, "nosource", DataMoverPhase.Failed));
        Assert.Equal("SourceReadyTimeout", failed.Reason);
        Assert.Contains("gave up after 2s", failed.Message, StringComparison.Ordinal);
        Assert.Contains("\"never\" not found", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACloneThatNeverBindsFailsAfterCloneReady()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SourceAsync(ns, "web-app-data", "no-clone");
        await SecretAsync(ns, "storage-credentials");
        await CreateAsync(ns, "noclone", new DataMoverSpec { SourcePvc = "web-app-data", SecretName = "storage-credentials", Timeouts = new DataMoverTimeouts { CloneReady = "3s" } });
        var dm = await PhaseAsync(ns, "noclone", DataMoverPhase.Failed);
        var failed = Failed(dm);
        Assert.Equal("CloneReadyTimeout", failed.Reason);
        Assert.Contains("gave up after 3s", failed.Message, StringComparison.Ordinal);
        Assert.Contains("ProvisioningFailed", failed.Message, StringComparison.Ordinal);
        Assert.Empty((await Jobs.ListAsync(ns)).Items);
    }

    [Fact]
    public async Task AMoverPodThatNeverStartsFailsAfterMoverStartAndItsJobIsRemoved()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SourceAsync(ns, "web-app-data");
        await CreateAsync(ns, "nosecret", new DataMoverSpec { SourcePvc = "web-app-data", SecretName = "missing-creds", Timeouts = new DataMoverTimeouts { MoverStart = "3s" } });
        var dm = await PhaseAsync(ns, "nosecret", DataMoverPhase.Failed);
        var failed = Failed(dm);
        Assert.Equal("MoverStartTimeout", failed.Reason);
        Assert.Contains("secret \"missing-creds\" not found", failed.Message, StringComparison.Ordinal);
        // Otherwise the mover would start whenever the Secret appears, after the DataMover has reported Failed.
        await EventuallyAsync(async () => await Jobs.TryGetAsync(ns, dm.Status!.JobName!) is null, "mover Job removed");
    }

    [Fact]
    public async Task AHungMoverIsEndedByTheJobsActiveDeadline()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SourceAsync(ns, "web-app-data");
        await SecretAsync(ns, "storage-credentials", new Dictionary<string, string> { ["MOVER_TEST_SLEEP"] = "600" });
        await CreateAsync(ns, "hangs", new DataMoverSpec
        {
            SourcePvc = "web-app-data",
            SecretName = "storage-credentials",
            Timeouts = new DataMoverTimeouts { MoverRun = "3s" },
        });
        var failed = Failed(await PhaseAsync(ns, "hangs", DataMoverPhase.Failed));
        Assert.Equal("MoverRunTimeout", failed.Reason);
        Assert.Contains("did not finish within 3s", failed.Message, StringComparison.Ordinal);
        var job = await Jobs.GetAsync(ns, "hangs-mover");
        Assert.Equal(3, job.Spec!.ActiveDeadlineSeconds);
        Assert.Contains(job.Status!.Conditions!, c => c is { Type: "Failed", Status: "True", Reason: "DeadlineExceeded" });
    }

    [Fact]
    public async Task APermanentMoverErrorFailsAtOnceWithoutRetries()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SourceAsync(ns, "web-app-data");
        await SecretAsync(ns, "storage-credentials", new Dictionary<string, string> { ["MOVER_TEST_FAIL"] = "authentication refused by https://s3.local (InvalidAccessKeyId)" });
        await CreateAsync(ns, "badcreds", new DataMoverSpec { SourcePvc = "web-app-data", SecretName = "storage-credentials" });
        var dm = await PhaseAsync(ns, "badcreds", DataMoverPhase.Failed);
        var failed = Failed(dm);
        Assert.Equal("MoverFailed", failed.Reason);
        Assert.Contains("PodFailurePolicy", failed.Message, StringComparison.Ordinal);
        Assert.Contains("authentication refused", failed.Message, StringComparison.Ordinal);
        Assert.Equal(1, dm.Status!.Attempts);
    }

    private static Condition Failed(Api.DataMover dm) => Conditions.Find(dm.Status!.Conditions, ConditionTypes.Failed)!;
}
