using System.Text;
using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Operator.Api;
using Dm = DataMover.Operator.Api.DataMover;

namespace DataMover.Operator.Tests.Cluster;

/// <summary>What tests against the full sandbox share: sources that the real provisioner binds, Secrets, DataMovers and waits.</summary>
public abstract class ClusterTestBase(ClusterFixture fixture)
{
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    protected ClusterFixture Fixture => fixture;

    protected KubeClient Client => fixture.Client;

    internal ResourceClient<Dm> DataMovers => Client.Resource(DataMoverResources.DataMovers);

    protected ResourceClient<PersistentVolumeClaim> Pvcs => Client.Resource(KubeResources.PersistentVolumeClaims);

    protected ResourceClient<Job> Jobs => Client.Resource(KubeResources.Jobs);

    protected async Task SourceAsync(string ns, string name, string storageClass = "standard")
    {
        await Pvcs.CreateAsync(new PersistentVolumeClaim
        {
            Metadata = new ObjectMeta { Name = name, Namespace = ns },
            Spec = new PersistentVolumeClaimSpec
            {
                StorageClassName = storageClass,
                AccessModes = ["ReadWriteOnce"],
                Resources = new ResourceRequirements { Requests = new Dictionary<string, string> { ["storage"] = "1Gi" } },
            },
        });
        await EventuallyAsync(async () => (await Pvcs.GetAsync(ns, name)).Status?.Phase == "Bound", $"source {name} bound");
    }

    /// <summary>A storage Secret; <paramref name="extra"/> adds keys (the test mover's MOVER_TEST_* switches, hostile keys).</summary>
    protected async Task SecretAsync(string ns, string name, IReadOnlyDictionary<string, string>? extra = null)
    {
        var data = new Dictionary<string, string>
        {
            ["BUCKET_NAME"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("bucket-" + name)),
            ["AWS_ACCESS_KEY_ID"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("key")),
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(value));
        }

        await Client.Resource(KubeResources.Secrets).CreateAsync(new Secret { Metadata = new ObjectMeta { Name = name, Namespace = ns }, Data = data });
    }

    internal async Task CreateAsync(string ns, string name, DataMoverSpec spec) =>
        await DataMovers.CreateAsync(new Dm { Metadata = new ObjectMeta { Name = name, Namespace = ns }, Spec = spec });

    internal async Task<Dm> PhaseAsync(string ns, string name, string phase)
    {
        Dm? last = null;
        try
        {
            return await EventuallyAsync(async () =>
            {
                last = await DataMovers.GetAsync(ns, name);
                return last.Status?.Phase == phase ? last : null;
            }, $"{name} {phase}");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + ": " + System.Text.Json.JsonSerializer.Serialize(last?.Status, OperatorJsonContext.Default.DataMoverStatus), e);
        }
    }

    protected static Task EventuallyAsync(Func<Task<bool>> probe, string what) => Eventually.TrueAsync(probe, what, Timeout);

    protected static Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string what) where T : class => Eventually.ValueAsync(probe, what, Timeout);
}
