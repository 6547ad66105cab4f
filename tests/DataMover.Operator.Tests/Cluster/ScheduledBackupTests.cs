using System.Text;
using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Operator.Api;
using Dm = DataMover.Operator.Api.DataMover;

namespace DataMover.Operator.Tests.Cluster;

/// <summary>A DataMoverSchedule driving the real DataMover controller, provisioner, job controller and kubelet.</summary>
[Collection(FakeClockClusterCollection.Name)]
public sealed class ScheduledBackupTests(FakeClockClusterFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Each_scheduled_run_is_a_backup_that_completes_and_history_keeps_the_newest()
    {
        var ns = await fixture.NewNamespaceAsync();
        var client = fixture.Client;
        await client.Resource(KubeResources.PersistentVolumeClaims).CreateAsync(new PersistentVolumeClaim
        {
            Metadata = new ObjectMeta { Name = "data", Namespace = ns },
            Spec = new PersistentVolumeClaimSpec
            {
                AccessModes = ["ReadWriteOnce"],
                Resources = new ResourceRequirements { Requests = new Dictionary<string, string> { ["storage"] = "1Gi" } },
            },
        });
        await client.Resource(KubeResources.Secrets).CreateAsync(new Secret
        {
            Metadata = new ObjectMeta { Name = "storage-credentials", Namespace = ns },
            Data = new Dictionary<string, string> { ["BUCKET_NAME"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("nightly")) },
        });

        // Bring the operator's clock level with the server's, so the schedule's creation time is "now" for both.
        var lag = DateTimeOffset.UtcNow - fixture.Clock.GetUtcNow();
        if (lag > TimeSpan.Zero)
        {
            fixture.Clock.Advance(lag);
        }

        var manifest = Path.Combine(Path.GetTempPath(), $"schedule-{ns}.yaml");
        await File.WriteAllTextAsync(manifest, """
            apiVersion: datamover.a-cup-of.coffee/v1alpha1
            kind: DataMoverSchedule
            metadata:
              name: every-minute
            spec:
              schedule: "* * * * *"
              sourcePvc: data
              secretName: storage-credentials
              successfulJobsHistoryLimit: 1
              startingDeadlineSeconds: 300
            """);
        var (exit, output) = await fixture.KubectlAsync("apply", "-n", ns, "-f", manifest);
        File.Delete(manifest);
        Assert.True(exit == 0, output);

        var first = await NextRunCompletesAsync(ns, previous: null);
        var second = await NextRunCompletesAsync(ns, previous: first);

        Assert.NotEqual(first, second);
        // History keeps one successful run: the first goes (with its clone and Job, by ownership).
        var runs = await EventuallyAsync(async () =>
        {
            var list = await Runs(ns);
            return list.Count == 1 ? list : null;
        }, "history limit of 1");
        Assert.Equal(second, runs[0].Metadata.Name);
        var schedule = await client.Resource(DataMoverResources.Schedules).GetAsync(ns, "every-minute");
        Assert.NotNull(schedule.Status?.LastSuccessfulTime);
    }

    /// <summary>Moves the operator's clock past the next minute and waits for the run it starts to complete.</summary>
    private async Task<string> NextRunCompletesAsync(string ns, string? previous)
    {
        var now = fixture.Clock.GetUtcNow();
        var nextMinute = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(1);
        fixture.Clock.Advance(nextMinute - now + TimeSpan.FromSeconds(1));

        var run = await EventuallyAsync(async () =>
            (await Runs(ns)).FirstOrDefault(d => d.Metadata.Name != previous), "a new scheduled DataMover");
        var name = run.Metadata.Name!;
        Assert.Equal("every-minute", run.Metadata.ControllerReference()?.Name);
        var done = await EventuallyAsync(async () =>
        {
            var dm = await fixture.Client.Resource(DataMoverResources.DataMovers).GetAsync(ns, name);
            return dm.Status?.Phase is "Completed" or "Failed" ? dm : null;
        }, $"{name} finished");
        Assert.Equal("Completed", done.Status!.Phase);
        return name;
    }

    private async Task<IReadOnlyList<Dm>> Runs(string ns) =>
        (await fixture.Client.Resource(DataMoverResources.DataMovers).ListAsync(ns, new ListOptions { LabelSelector = "datamover.a-cup-of.coffee/schedule=every-minute" })).Items;

    private static Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string what) where T : class => Eventually.ValueAsync(probe, what, Timeout);
}
