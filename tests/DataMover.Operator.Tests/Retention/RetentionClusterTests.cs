using System.Text.Json;
using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;
using DataMover.Operator.Retention;
using DataMover.Operator.Scheduling;
using DataMover.Operator.Tests.Cluster;

namespace DataMover.Operator.Tests.Retention;

/// <summary>
/// spec.retention through the operator under its ServiceAccount, the real job controller and kubelet: the test mover
/// (ClusterFixture) lists MOVER_TEST_PRUNE_BACKUPS in prune mode and drops the folders it was told to delete.
/// </summary>
[Collection(FakeClockClusterCollection.Name)]
public sealed class RetentionClusterTests(FakeClockClusterFixture fixture) : ClusterTestBase(fixture)
{
    private const string Schedule = "every-minute";

    /// <summary>Five complete backups of this schedule (f1 oldest), another schedule's, and a folder without manifest.</summary>
    private const string Listing = """
        {"f":"f5","t":"2026-11-30T10:05:00Z","s":"SELF","m":true,"x":false}
        {"f":"f4","t":"2026-11-30T10:04:00Z","s":"SELF","m":true,"x":false}
        {"f":"f3","t":"2026-11-30T10:03:00Z","s":"SELF","m":true,"x":false}
        {"f":"other","t":"2026-11-30T10:02:30Z","s":"5c1e0d2a-0000-4000-8000-00000000beef","m":true,"x":false}
        {"f":"f2","t":"2026-11-30T10:02:00Z","s":"SELF","m":true,"x":false}
        {"f":"f1","t":"2026-11-30T10:01:00Z","s":"SELF","m":true,"x":false}
        """;

    private ResourceClient<DataMoverSchedule> Schedules => Client.Resource(DataMoverResources.Schedules);

    private static string ScheduleYaml(bool dryRun = false) => $$"""
        apiVersion: datamover.a-cup-of.coffee/v1alpha1
        kind: DataMoverSchedule
        metadata:
          name: {{Schedule}}
        spec:
          schedule: "* * * * *"
          sourcePvc: data
          secretName: storage-credentials
          path: team-a
          addTimestampPrefix: true
          startingDeadlineSeconds: 300
          retention:
            keepLast: 3
            dryRun: {{(dryRun ? "true" : "false")}}
        """;

    private async Task<(string Ns, ScheduledRuns Runs)> SetUpAsync(IReadOnlyDictionary<string, string>? secret = null, bool dryRun = false)
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SourceAsync(ns, "data");
        var keys = new Dictionary<string, string> { ["MOVER_TEST_PRUNE_BACKUPS"] = Listing };
        foreach (var (key, value) in secret ?? new Dictionary<string, string>())
        {
            keys[key] = value;
        }

        await SecretAsync(ns, "storage-credentials", keys);
        var runs = new ScheduledRuns(fixture, ns);
        await runs.ApplyAsync(ScheduleYaml(dryRun));
        return (ns, runs);
    }

    /// <summary>Stops the schedule, so later minutes of the shared fake clock start no more runs here.</summary>
    private async Task TearDownAsync(string ns) => await Schedules.DeleteAsync(ns, Schedule);

    private async Task<DataMoverSchedule> RetentionAsync(string ns, Func<DataMoverSchedule, bool> done, string what)
    {
        DataMoverSchedule? last = null;
        try
        {
            return await EventuallyAsync(async () =>
            {
                last = await Schedules.GetAsync(ns, Schedule);
                return done(last) ? last : null;
            }, what);
        }
        catch (TimeoutException e)
        {
            var log = string.Join("\n", Fixture.OperatorLog.Lines.Where(l => l.Contains(ns, StringComparison.Ordinal) || l.Contains("Exception", StringComparison.Ordinal) || l.Contains("Error", StringComparison.Ordinal)).TakeLast(40));
            throw new TimeoutException(e.Message + ": " + JsonSerializer.Serialize(last?.Status, OperatorJsonContext.Default.DataMoverScheduleStatus) + "\n" + log, e);
        }
    }

    private static Condition? RetentionCondition(DataMoverSchedule schedule) =>
        schedule.Status?.Conditions?.FirstOrDefault(c => c.Type == RetentionReasons.Condition);

    private async Task<IReadOnlyList<Job>> PruneJobsAsync(string ns) =>
        (await Jobs.ListAsync(ns, new ListOptions { LabelSelector = $"{ScheduleLabels.Schedule}={Schedule}" })).Items;

    [Fact]
    public async Task A_completed_run_names_its_schedule_and_is_followed_by_a_prune_that_keeps_the_newest_three()
    {
        var (ns, runs) = await SetUpAsync();
        var run = await runs.NextRunCompletesAsync(previous: null);
        var schedule = await Schedules.GetAsync(ns, Schedule);

        // The run's mover got the schedule, so its manifest records it.
        var dm = await DataMovers.GetAsync(ns, run);
        var env = (await Jobs.GetAsync(ns, dm.Status!.JobName!)).Spec!.Template!.Spec!.Containers[0].Env!;
        Assert.Equal(Schedule, env.Single(e => e.Name == MoverJobBuilder.ScheduleNameVar).Value);
        Assert.Equal(schedule.Metadata.Uid, env.Single(e => e.Name == MoverJobBuilder.ScheduleUidVar).Value);

        var pruned = await RetentionAsync(ns, s => s.Status?.Retention?.LastRun == run, "the prune after " + run);
        Assert.Equal((3, "f3", 2), (pruned.Status!.Retention!.Kept, pruned.Status.Retention.OldestKept, pruned.Status.Retention.Pruned));
        Assert.NotNull(pruned.Status.Retention.LastPruneTime);
        Assert.Null(pruned.Status.Retention.WouldPrune);
        Assert.Equal(("True", RetentionReasons.Pruned), (RetentionCondition(pruned)?.Status, RetentionCondition(pruned)?.Reason));
        // The condition (and the Pruned event, which this fake-clock fixture's API server refuses: see the report) name the folders.
        var message = RetentionCondition(pruned)!.Message!;
        Assert.Contains("f2, f1", message, StringComparison.Ordinal);
        Assert.DoesNotContain("other", message, StringComparison.Ordinal);
        await EventuallyAsync(async () => (await PruneJobsAsync(ns)).Count == 0, "prune Jobs deleted");
        await TearDownAsync(ns);
    }

    [Fact]
    public async Task A_dry_run_deletes_nothing_and_lists_what_would_go()
    {
        var (ns, runs) = await SetUpAsync(dryRun: true);
        var run = await runs.NextRunCompletesAsync(previous: null);

        var listed = await RetentionAsync(ns, s => s.Status?.Retention?.LastRun == run, "the dry run after " + run);
        Assert.Equal(["f2", "f1"], listed.Status!.Retention!.WouldPrune);
        Assert.Equal((3, 0), (listed.Status.Retention.Kept, listed.Status.Retention.Pruned));
        Assert.Equal(RetentionReasons.DryRun, RetentionCondition(listed)?.Reason);
        await EventuallyAsync(async () => (await PruneJobsAsync(ns)).Count == 0, "list Job deleted");
        // Only a list pass ran: no delete pass.
        Assert.DoesNotContain(Fixture.OperatorLog.Lines, l => l.Contains($"{ns}/{Schedule}: created prune Job {RetentionJobNamer.PruneName(Schedule, run)} (", StringComparison.Ordinal));
        await TearDownAsync(ns);
    }

    [Fact]
    public async Task A_failing_prune_is_RetentionFailed_with_a_warning_and_deletes_nothing()
    {
        var (ns, runs) = await SetUpAsync(new Dictionary<string, string> { ["MOVER_TEST_PRUNE_FAIL"] = "cannot list s3://bucket/team-a/: AccessDenied" });
        var run = await runs.NextRunCompletesAsync(previous: null);

        var failed = await RetentionAsync(ns, s => RetentionCondition(s)?.Reason == RetentionReasons.RetentionFailed, "RetentionFailed");
        Assert.Equal("False", RetentionCondition(failed)?.Status);
        Assert.Contains("AccessDenied", RetentionCondition(failed)?.Message, StringComparison.Ordinal);
        Assert.Equal(run, failed.Status!.Retention!.LastRun);
        Assert.Null(failed.Status.Retention.LastPruneTime);
        Assert.Contains(Fixture.OperatorLog.Lines, l => l.Contains($"{ns}/{Schedule}: the prune after {run} failed", StringComparison.Ordinal));
        await EventuallyAsync(async () => (await PruneJobsAsync(ns)).Count == 0, "failed prune Job deleted");
        Assert.DoesNotContain(Fixture.OperatorLog.Lines, l => l.Contains($"{ns}/{Schedule}: created prune Job {RetentionJobNamer.PruneName(Schedule, run)} (", StringComparison.Ordinal));
        await TearDownAsync(ns);
    }

    [Fact]
    public async Task An_unfinished_restore_under_the_path_holds_the_prune_back_until_it_goes()
    {
        var (ns, runs) = await SetUpAsync();
        // Waits for a target PVC that does not exist: unfinished, reading from under team-a.
        await Client.Resource(DataMoverResources.Restores).CreateAsync(new DataMoverRestore
        {
            Metadata = new ObjectMeta { Name = "reader", Namespace = ns },
            Spec = new DataMoverRestoreSpec
            {
                Source = new DataMoverRestoreSource { SecretName = "storage-credentials", Path = "team-a/latest" },
                Target = new DataMoverRestoreTarget { PvcName = "not-yet" },
            },
        });
        var run = await runs.NextRunCompletesAsync(previous: null);

        var waiting = await RetentionAsync(ns, s => RetentionCondition(s)?.Reason == RetentionReasons.PruneWaitingForRestore, "PruneWaitingForRestore");
        Assert.Contains("reader", RetentionCondition(waiting)?.Message, StringComparison.Ordinal);
        Assert.Empty(await PruneJobsAsync(ns));

        await Client.Resource(DataMoverResources.Restores).DeleteAsync(ns, "reader");
        var pruned = await RetentionAsync(ns, s => s.Status?.Retention?.LastRun == run, "the prune once the restore is gone");
        Assert.Equal(2, pruned.Status!.Retention!.Pruned);
        await TearDownAsync(ns);
    }

    [Fact]
    public async Task A_restore_under_the_path_waits_for_a_running_prune()
    {
        var (ns, runs) = await SetUpAsync(new Dictionary<string, string> { ["MOVER_TEST_PRUNE_SLEEP"] = "5" });
        await Pvcs.CreateAsync(new PersistentVolumeClaim
        {
            Metadata = new ObjectMeta { Name = "target", Namespace = ns },
            Spec = new PersistentVolumeClaimSpec
            {
                StorageClassName = "standard",
                AccessModes = ["ReadWriteOnce"],
                Resources = new ResourceRequirements { Requests = new Dictionary<string, string> { ["storage"] = "1Gi" } },
            },
        });
        var run = await runs.NextRunCompletesAsync(previous: null);
        await EventuallyAsync(async () => (await PruneJobsAsync(ns)).Count > 0, "a prune Job");

        var restores = Client.Resource(DataMoverResources.Restores);
        await restores.CreateAsync(new DataMoverRestore
        {
            Metadata = new ObjectMeta { Name = "reader", Namespace = ns },
            Spec = new DataMoverRestoreSpec
            {
                Source = new DataMoverRestoreSource { SecretName = "storage-credentials", Path = "team-a/latest" },
                Target = new DataMoverRestoreTarget { PvcName = "target" },
            },
        });
        await EventuallyAsync(async () => Conditions.Find((await restores.GetAsync(ns, "reader")).Status?.Conditions, ConditionTypes.Progressing)?.Reason == PruneRestoreGate.RestoreWaitingForPrune,
            "RestoreWaitingForPrune");
        Assert.Null((await restores.GetAsync(ns, "reader")).Status?.JobName);

        await RetentionAsync(ns, s => s.Status?.Retention?.LastRun == run, "the prune after " + run);
        await EventuallyAsync(async () => (await restores.GetAsync(ns, "reader")).Status?.Phase == "Completed", "the restore once the prune is over");
        await TearDownAsync(ns);
    }

    [Fact]
    public async Task An_operator_restarted_during_a_prune_adopts_its_Job()
    {
        var (ns, runs) = await SetUpAsync(new Dictionary<string, string> { ["MOVER_TEST_PRUNE_SLEEP"] = "3" });
        var run = await runs.NextRunCompletesAsync(previous: null);
        var list = await EventuallyAsync(async () => (await PruneJobsAsync(ns)).FirstOrDefault(), "the list Job");

        await Fixture.RestartOperatorAsync();

        var pruned = await RetentionAsync(ns, s => s.Status?.Retention?.LastRun == run, "the prune after the restart");
        Assert.Equal(2, pruned.Status!.Retention!.Pruned);
        // One create per Job name across both operators: the second adopted the first's list Job.
        var creates = Fixture.OperatorLog.Lines.Count(l => l.Contains($"{ns}/{Schedule}: created prune Job {list.Metadata.Name} ", StringComparison.Ordinal));
        Assert.Equal(1, creates);
        await TearDownAsync(ns);
    }
}
