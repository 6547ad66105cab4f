using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;
using DataMover.Operator.Naming;
using Dm = DataMover.Operator.Api.DataMover;

namespace DataMover.Operator.Tests.Sandbox;

/// <summary>
/// The operator may die at any instant. Each test either stops a running operator mid-phase or recreates the exact
/// state a kill right after a status write leaves behind, then starts a fresh operator and checks that there is
/// still exactly one clone and one Job, with the destination decided the first time.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class CrashSafetyTests(SandboxFixture fixture) : OperatorTestBase(fixture)
{
    [Fact]
    public async Task RestartInEveryPhaseKeepsOneCloneOneJobAndTheDestination()
    {
        await CreateSourceAsync();
        var host = await StartOperatorAsync();
        await CreateDataMoverAsync("restart", timestamp: true);
        var first = await WaitForPhaseAsync("restart", DataMoverPhase.CreatingClonedPvc);
        var clone = first.Status!.RestoredPvcName!;
        var destination = first.Status.DestinationPrefix!;
        await WaitAsync(async () => await Pvcs.TryGetAsync(Ns, clone), () => "clone");

        // Killed while the clone is pending.
        await StopAsync(host);
        host = await StartOperatorAsync();
        await BindAsync(clone);
        var dm = await WaitForPhaseAsync("restart", DataMoverPhase.CreatingPod);
        Assert.Equal((clone, destination), (dm.Status!.RestoredPvcName, dm.Status.DestinationPrefix));
        var job = await WaitAsync(async () => await Jobs.TryGetAsync(Ns, "restart-mover"), () => "job");

        // Killed while the Job runs.
        await StopAsync(host);
        await StartOperatorAsync();
        await Task.Delay(300);
        Assert.Single(await JobListAsync());
        Assert.Single(await ClonesAsync());
        await CreateJobPodAsync(job, 0, MoverResultFor(job, "bucket"));
        await FinishJobAsync("restart-mover", succeeded: true);
        dm = await WaitForPhaseAsync("restart", DataMoverPhase.Completed);
        Assert.Equal((clone, destination), (dm.Status!.RestoredPvcName, dm.Status.DestinationPrefix));
        Assert.Equal(destination, job.Spec!.Template.Spec!.Containers[0].Env!.Single(e => e.Name == "DATAMOVER_DESTINATION_PREFIX").Value);
        Assert.Single(await ClonesAsync());
        Assert.Single(await JobListAsync());
    }

    [Fact]
    public async Task RestartWhileWaitingForTheSourceGoesOnWhenItAppears()
    {
        var host = await StartOperatorAsync();
        await CreateDataMoverAsync("waiting");
        await WaitForReasonAsync("waiting", "SourcePVCNotFound");
        await StopAsync(host);
        await StartOperatorAsync();
        await CreateSourceAsync();
        await WaitForPhaseAsync("waiting", DataMoverPhase.CreatingClonedPvc);
        await WaitAsync(async () => (await ClonesAsync()).Count == 1 ? "one" : null, () => "one clone");
    }

    [Fact]
    public async Task KilledAtClonedPvcReadyCreatesOneJobWithTheRecordedFolder()
    {
        await CreateSourceAsync();
        var host = await StartOperatorAsync();
        await CreateDataMoverAsync("ready", timestamp: true);
        var dm = await WaitForPhaseAsync("ready", DataMoverPhase.CreatingClonedPvc);
        await WaitAsync(async () => await Pvcs.TryGetAsync(Ns, dm.Status!.RestoredPvcName!), () => "clone");
        await StopAsync(host);
        await BindAsync(dm.Status!.RestoredPvcName!);
        dm = await DataMovers.GetAsync(Ns, "ready");
        await WriteStatusAsync(dm, s => s with { Phase = DataMoverPhase.ClonedPvcReady, PhaseStartTime = DateTimeOffset.UtcNow });
        await StartOperatorAsync();
        var job = await WaitAsync(async () => await Jobs.TryGetAsync(Ns, "ready-mover"), () => "job");
        Assert.Equal(dm.Status!.DestinationPrefix, job.Spec!.Template.Spec!.Containers[0].Env!.Single(e => e.Name == "DATAMOVER_DESTINATION_PREFIX").Value);
        await Task.Delay(300);
        Assert.Single(await JobListAsync());
        Assert.Single(await ClonesAsync());
    }

    [Fact]
    public async Task KilledAfterRecordingTheCloneNameCreatesExactlyThatClone()
    {
        await CreateSourceAsync();
        var dm = await CreateDataMoverAsync("recorded");
        await WriteStatusAsync(dm, s => s with
        {
            Phase = DataMoverPhase.CreatingClonedPvc,
            RestoredPvcName = "web-app-data-cloned-20240806143052",
            DestinationPrefix = "2024-08-06-143052",
            PhaseStartTime = DateTimeOffset.UtcNow,
            AcceptedSpec = dm.Spec,
        });
        await StartOperatorAsync();
        await WaitAsync(async () => await Pvcs.TryGetAsync(Ns, "web-app-data-cloned-20240806143052"), () => "recorded clone");
        await BindAsync("web-app-data-cloned-20240806143052");
        var job = await WaitAsync(async () => await Jobs.TryGetAsync(Ns, "recorded-mover"), () => "job");
        Assert.Equal("2024-08-06-143052", job.Spec!.Template.Spec!.Containers[0].Env!.Single(e => e.Name == "DATAMOVER_DESTINATION_PREFIX").Value);
        Assert.Single(await ClonesAsync());
    }

    [Fact]
    public async Task KilledAfterRecordingTheJobNameCreatesExactlyThatJob()
    {
        await CreateSourceAsync();
        var host = await StartOperatorAsync();
        var dm = await CreateDataMoverAsync("jobname");
        dm = await WaitForPhaseAsync("jobname", DataMoverPhase.CreatingClonedPvc);
        await WaitAsync(async () => await Pvcs.TryGetAsync(Ns, dm.Status!.RestoredPvcName!), () => "clone");
        await StopAsync(host);

        // As if killed right after writing phase CreatingPod with the Job name.
        await BindAsync(dm.Status!.RestoredPvcName!);
        dm = await DataMovers.GetAsync(Ns, "jobname");
        await WriteStatusAsync(dm, s => s with { Phase = DataMoverPhase.CreatingPod, JobName = "jobname-mover", PhaseStartTime = DateTimeOffset.UtcNow });
        await StartOperatorAsync();
        await WaitAsync(async () => await Jobs.TryGetAsync(Ns, "jobname-mover"), () => "recorded job");
        await Task.Delay(300);
        Assert.Single(await JobListAsync());
        Assert.Single(await ClonesAsync());
    }

    [Fact]
    public async Task KilledDuringCleanupFinishesTheCleanup()
    {
        await CreateSourceAsync();
        var host = await StartOperatorAsync();
        await CreateDataMoverAsync("cleanup", deleteClone: true);
        var dm = await WaitForPhaseAsync("cleanup", DataMoverPhase.CreatingClonedPvc);
        var clone = dm.Status!.RestoredPvcName!;
        await WaitAsync(async () => await Pvcs.TryGetAsync(Ns, clone), () => "clone");
        await StopAsync(host);
        dm = await DataMovers.GetAsync(Ns, "cleanup");
        await WriteStatusAsync(dm, s => s with { Phase = DataMoverPhase.CleaningUp, PhaseStartTime = DateTimeOffset.UtcNow });
        await StartOperatorAsync();
        await WaitAsync(async () => await Pvcs.TryGetAsync(Ns, clone) is { Metadata.DeletionTimestamp: not null } c ? c : null, () => "clone deleting");
        await ReleaseAsync(clone);
        await WaitForPhaseAsync("cleanup", DataMoverPhase.Completed);
        Assert.Null(await Pvcs.TryGetAsync(Ns, clone));
    }

    [Fact]
    public async Task TwoDataMoversOnOneSourceInTheSameSecondGetTwoClones()
    {
        await CreateSourceAsync("shared-data");
        await CreateDataMoverAsync("dev-backup", source: "shared-data", secret: "dev-storage");
        await CreateDataMoverAsync("prod-backup", source: "shared-data", secret: "prod-storage");
        await StartOperatorAsync(new FixedTimeProvider(new DateTimeOffset(2024, 8, 6, 14, 30, 52, TimeSpan.Zero)));
        var dev = await WaitForPhaseAsync("dev-backup", DataMoverPhase.CreatingClonedPvc);
        var prod = await WaitForPhaseAsync("prod-backup", DataMoverPhase.CreatingClonedPvc);
        await WaitAsync(async () => (await ClonesAsync()).Count == 2 ? "two" : null, () => "two clones");
        await Task.Delay(300);
        dev = await DataMovers.GetAsync(Ns, "dev-backup");
        prod = await DataMovers.GetAsync(Ns, "prod-backup");
        Assert.NotEqual(dev.Status!.RestoredPvcName, prod.Status!.RestoredPvcName);
        var clones = await ClonesAsync();
        Assert.Equal(2, clones.Count);
        Assert.All(clones, c => Assert.Contains("-cloned-20240806143052", c.Metadata.Name, StringComparison.Ordinal));
        Assert.Equal(dev.Metadata.Uid, clones.Single(c => c.Metadata.Name == dev.Status.RestoredPvcName).Metadata.ControllerReference()!.Uid);
        Assert.Equal(prod.Metadata.Uid, clones.Single(c => c.Metadata.Name == prod.Status.RestoredPvcName).Metadata.ControllerReference()!.Uid);
    }

    [Fact]
    public async Task ACloneNameTakenBySomeoneElseIsDisambiguated()
    {
        await CreateSourceAsync();
        await Pvcs.CreateAsync(new PersistentVolumeClaim
        {
            Metadata = new ObjectMeta { Name = "web-app-data-cloned-20240806143052", Namespace = Ns },
            Spec = new PersistentVolumeClaimSpec { AccessModes = ["ReadWriteOnce"], Resources = new ResourceRequirements { Requests = new Dictionary<string, string> { ["storage"] = "1Gi" } } },
        });
        await CreateDataMoverAsync("taken");
        await StartOperatorAsync(new FixedTimeProvider(new DateTimeOffset(2024, 8, 6, 14, 30, 52, TimeSpan.Zero)));
        var dm = await WaitForDataMoverAsync("taken", d => d.Status?.RestoredPvcName is { } n && n != "web-app-data-cloned-20240806143052", "a disambiguated clone name");
        Assert.StartsWith("web-app-data-cloned-20240806143052-", dm.Status!.RestoredPvcName, StringComparison.Ordinal);
        await WaitAsync(async () => await Pvcs.TryGetAsync(Ns, dm.Status.RestoredPvcName!), () => "clone");
        Assert.Null((await Pvcs.GetAsync(Ns, "web-app-data-cloned-20240806143052")).Metadata.OwnerReferences);
    }

    [Fact]
    public async Task ACloneFallbackNameTakenAsWellMovesToTheLongerOne()
    {
        // What a burst of DataMovers of one source in one second does: another one's fallback clone carries the same
        // five hash characters as this one's (bench P3 met it at 1,000 DataMovers). The backup must not fail for it.
        var at = new DateTimeOffset(2024, 8, 6, 14, 30, 52, TimeSpan.Zero);
        await CreateSourceAsync();
        await CreateDataMoverAsync("crowded");
        var uid = (await DataMovers.GetAsync(Ns, "crowded")).Metadata.Uid!;
        var plain = "web-app-data-cloned-20240806143052";
        var shortFallback = plain + "-" + CloneNamer.DisambiguatorFor(uid);
        foreach (var name in new[] { plain, shortFallback })
        {
            await Pvcs.CreateAsync(new PersistentVolumeClaim
            {
                Metadata = new ObjectMeta { Name = name, Namespace = Ns },
                Spec = new PersistentVolumeClaimSpec { AccessModes = ["ReadWriteOnce"], Resources = new ResourceRequirements { Requests = new Dictionary<string, string> { ["storage"] = "1Gi" } } },
            });
        }

        await StartOperatorAsync(new FixedTimeProvider(at));
        var dm = await WaitForDataMoverAsync("crowded", d => d.Status?.Phase == DataMoverPhase.Failed || (d.Status?.RestoredPvcName is { } n && n != plain && n != shortFallback), "a clone name beyond both taken ones");
        Assert.NotEqual(DataMoverPhase.Failed, dm.Status!.Phase);
        Assert.Equal(plain + "-" + CloneNamer.DisambiguatorsFor(uid)[1], dm.Status.RestoredPvcName);
        var clone = await WaitAsync(async () => await Pvcs.TryGetAsync(Ns, dm.Status.RestoredPvcName!), () => "clone");
        Assert.Equal(uid, clone.Metadata.OwnerReferences!.Single().Uid);
        Assert.Null((await Pvcs.GetAsync(Ns, shortFallback)).Metadata.OwnerReferences);
    }

    private async Task WriteStatusAsync(Dm dm, Func<DataMoverStatus, DataMoverStatus> change) =>
        await DataMovers.ReplaceStatusAsync(dm with { Status = change(dm.Status ?? new DataMoverStatus()) });
}
