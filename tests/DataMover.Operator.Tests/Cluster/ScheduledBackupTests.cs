using System.Text;
using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Operator.Api;

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

        var runs = new ScheduledRuns(fixture, ns);
        await runs.ApplyAsync("""
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

        var first = await runs.NextRunCompletesAsync(previous: null);
        var second = await runs.NextRunCompletesAsync(previous: first);

        Assert.NotEqual(first, second);
        // History keeps one successful run: the first goes (with its clone and Job, by ownership).
        var kept = await EventuallyAsync(async () =>
        {
            var list = await runs.ListAsync();
            return list.Count == 1 ? list : null;
        }, "history limit of 1");
        Assert.Equal(second, kept[0].Metadata.Name);
        var schedule = await client.Resource(DataMoverResources.Schedules).GetAsync(ns, "every-minute");
        Assert.NotNull(schedule.Status?.LastSuccessfulTime);
    }

    private static Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string what) where T : class => Eventually.ValueAsync(probe, what, Timeout);
}
