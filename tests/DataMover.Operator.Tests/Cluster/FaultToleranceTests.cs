using DataMover.Kube.Client;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;

namespace DataMover.Operator.Tests.Cluster;

/// <summary>What a real API server does now and then: every error on every write is retried, never taken as done.</summary>
[Collection(ClusterCollection.Name)]
public sealed class FaultToleranceTests(ClusterFixture fixture) : ClusterTestBase(fixture)
{
    [Fact]
    public async Task BackupsFinishAndCleanUpThroughConflictsAndServerErrors()
    {
        const int count = 12;
        var ns = await Fixture.NewNamespaceAsync();
        await SourceAsync(ns, "web-app-data");
        await SecretAsync(ns, "storage-credentials");
        var names = Enumerable.Range(0, count).Select(i => $"faulty-{i}").ToList();
        try
        {
            // Conflicts on status writes and deletes, 500s on creates (events included), for everyone, as etcd and an
            // overloaded server produce them.
            Fixture.Cluster.Faults.Configure("conflict=0.1:update+delete,error500=0.1:create,seed=11");
            foreach (var name in names)
            {
                await CreateWithRetryAsync(ns, name);
            }

            foreach (var name in names)
            {
                try
                {
                    var dm = await PhaseAsync(ns, name, DataMoverPhase.Completed);
                    Assert.Null(await Pvcs.TryGetAsync(ns, dm.Status!.RestoredPvcName!));
                }
                catch (TimeoutException e)
                {
                    Fixture.Cluster.Faults.Clear();
                    var job = await Jobs.TryGetAsync(ns, name + "-mover");
                    var pods = (await Client.Resource(DataMover.Kube.Client.KubeResources.Pods).ListAsync(ns)).Items.Where(p => p.Metadata.Name!.StartsWith(name + "-", StringComparison.Ordinal));
                    throw new TimeoutException(e.Message + "\nJOB: active=" + job?.Status?.Active + " succeeded=" + job?.Status?.Succeeded + " failed=" + job?.Status?.Failed + " conditions=" + string.Join(",", job?.Status?.Conditions?.Select(c => c.Type + "=" + c.Status) ?? []) + "\nPODS: " + string.Join("; ", pods.Select(p => p.Metadata.Name + " " + p.Status?.Phase)), e);
                }
            }
        }
        finally
        {
            Fixture.Cluster.Faults.Clear();
        }

        // Events that met a 500 are sent again (after client-go's 10 s): every backup announces its success.
        foreach (var name in names)
        {
            await EventuallyAsync(
                async () => (await Client.Resource(KubeResources.Events).ListAsync(ns)).Items.Any(e => e.InvolvedObject?.Name == name && e.Reason == "BackupSucceeded"),
                $"BackupSucceeded event of {name}");
        }
    }

    private async Task CreateWithRetryAsync(string ns, string name)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await CreateAsync(ns, name, new DataMoverSpec { SourcePvc = "web-app-data", SecretName = "storage-credentials", DeletePvcAfterBackup = true });
                return;
            }
            catch (KubeApiException e) when (e.IsServerError && attempt < 10)
            {
                // The test's own client meets the same faults.
            }
            catch (KubeApiException e) when (e.IsAlreadyExists)
            {
                return;
            }
        }
    }
}
