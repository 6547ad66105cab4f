using System.Text.Json.Nodes;
using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;
using DataMover.Operator.Hosting;
using Microsoft.Extensions.Logging;
using Dm = DataMover.Operator.Api.DataMover;

namespace DataMover.Operator.Tests.Sandbox;

/// <summary>Helpers for tests that run the operator in-process against the sandbox and play the cluster's controllers.</summary>
public abstract class OperatorTestBase(SandboxFixture fixture) : IAsyncLifetime
{
    private readonly List<OperatorHost> _hosts = [];

    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    protected SandboxFixture Fixture { get; } = fixture;

    protected KubeClient Client => Fixture.Client;

    protected string Ns { get; private set; } = "";

    protected ListLoggerProvider Logs { get; } = new();

    internal ResourceClient<Dm> DataMovers => Client.Resource(DataMoverResources.DataMovers);

    protected ResourceClient<PersistentVolumeClaim> Pvcs => Client.Resource(KubeResources.PersistentVolumeClaims);

    protected ResourceClient<Job> Jobs => Client.Resource(KubeResources.Jobs);

    protected ResourceClient<Pod> Pods => Client.Resource(KubeResources.Pods);

    protected ResourceClient<Event> Events => Client.Resource(KubeResources.Events);

    public async Task InitializeAsync() => Ns = await Fixture.NewNamespaceAsync();

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync();
        }
    }

    protected async Task<OperatorHost> StartOperatorAsync(TimeProvider? time = null, bool leaderElect = false, Func<OperatorOptions, OperatorOptions>? configure = null)
    {
        if (leaderElect)
        {
            await Support.OperatorIdentity.GrantLeaderElectionAsync(Fixture.Cluster, Ns);
        }

        var loggers = LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Information));
        var options = new OperatorOptions
        {
            KubeconfigPath = Fixture.OperatorKubeconfigPath,
            Namespace = Ns,
            MetricsBindAddress = "127.0.0.1:0",
            HealthProbeBindAddress = "127.0.0.1:0",
            MoverImage = "example.local/mover:test",
            LoggerFactory = loggers,
            Time = time ?? TimeProvider.System,
            LeaderElect = leaderElect,
            LeaderElectionNamespace = Ns,
        };
        var host = await OperatorHost.StartAsync(configure is null ? options : configure(options));
        _hosts.Add(host);
        using var cts = new CancellationTokenSource(Timeout);
        await host.WaitUntilReadyAsync(cts.Token);
        return host;
    }

    protected static async Task StopAsync(OperatorHost host) => await host.StopAsync();

    internal async Task<Dm> CreateDataMoverAsync(string name, string source = "web-app-data", bool deleteClone = false, bool timestamp = false, IReadOnlyList<EnvVar>? env = null, string secret = "storage-credentials") =>
        await DataMovers.CreateAsync(new Dm
        {
            Metadata = new ObjectMeta { Name = name, Namespace = Ns },
            Spec = new DataMoverSpec { SourcePvc = source, SecretName = secret, DeletePvcAfterBackup = deleteClone, AddTimestampPrefix = timestamp, AdditionalEnv = env },
        });

    protected async Task<PersistentVolumeClaim> CreateSourceAsync(string name = "web-app-data", string storageClass = SandboxFixture.CsiClass, bool bound = true)
    {
        var pvc = await Pvcs.CreateAsync(new PersistentVolumeClaim
        {
            Metadata = new ObjectMeta { Name = name, Namespace = Ns },
            Spec = new PersistentVolumeClaimSpec
            {
                StorageClassName = storageClass,
                AccessModes = ["ReadWriteOnce"],
                VolumeMode = "Filesystem",
                Resources = new ResourceRequirements { Requests = new Dictionary<string, string> { ["storage"] = "1Gi" } },
            },
        });
        return bound ? await BindAsync(name, "2Gi") : pvc;
    }

    /// <summary>Plays the provisioner: marks a claim Bound with a capacity.</summary>
    protected async Task<PersistentVolumeClaim> BindAsync(string name, string capacity = "2Gi") =>
        await Pvcs.PatchStatusAsync(Ns, name, KubePatch.Merge(new JsonObject
        {
            ["status"] = new JsonObject { ["phase"] = "Bound", ["accessModes"] = new JsonArray("ReadWriteOnce"), ["capacity"] = new JsonObject { ["storage"] = capacity } },
        }));

    /// <summary>Plays the pvc-protection controller once nothing uses the claim: drops its finalizers so the delete completes.</summary>
    protected async Task ReleaseAsync(string claim) =>
        await Pvcs.PatchAsync(Ns, claim, KubePatch.Merge(new JsonObject { ["metadata"] = new JsonObject { ["finalizers"] = null } }));

    /// <summary>Plays the job controller and kubelet: a pod of the Job that ended with <paramref name="exitCode"/> and a termination message.</summary>
    protected async Task<Pod> CreateJobPodAsync(Job job, int? exitCode, string? message, string? waitingReason = null, string? waitingMessage = null)
    {
        var pod = await Pods.CreateAsync(new Pod
        {
            Metadata = new ObjectMeta
            {
                Name = $"{job.Metadata.Name}-{Guid.NewGuid().ToString("n")[..5]}",
                Namespace = Ns,
                Labels = job.Spec!.Template.Metadata!.Labels,
                OwnerReferences = [new OwnerReference { ApiVersion = "batch/v1", Kind = "Job", Name = job.Metadata.Name!, Uid = job.Metadata.Uid!, Controller = true, BlockOwnerDeletion = true }],
            },
            Spec = job.Spec.Template.Spec,
        });
        var state = exitCode is { } code
            ? new JsonObject { ["terminated"] = new JsonObject { ["exitCode"] = code, ["message"] = message, ["reason"] = code == 0 ? "Completed" : "Error" } }
            : new JsonObject { ["waiting"] = new JsonObject { ["reason"] = waitingReason, ["message"] = waitingMessage } };
        return await Pods.PatchStatusAsync(Ns, pod.Metadata.Name!, KubePatch.Merge(new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["phase"] = exitCode is null ? "Pending" : exitCode == 0 ? "Succeeded" : "Failed",
                ["containerStatuses"] = new JsonArray(new JsonObject { ["name"] = "mover", ["ready"] = false, ["restartCount"] = 0, ["image"] = "x", ["imageID"] = "", ["state"] = state }),
            },
        }));
    }

    /// <summary>The termination message a protocol mover writes on success for <paramref name="job"/> (docs/mover-protocol.md).</summary>
    protected static string MoverResultFor(Job job, string bucket, IReadOnlyList<string>? ignoredSecretKeys = null)
    {
        var env = job.Spec!.Template.Spec!.Containers[0].Env!;
        string Value(string name) => env.Single(e => e.Name == name).Value ?? "";
        var path = Value("DATAMOVER_PATH");
        var folder = Value("DATAMOVER_DESTINATION_PREFIX");
        var destination = $"s3://{bucket}/" + (path.Length > 0 ? path + "/" : "") + (folder.Length > 0 ? folder + "/" : "");
        return new JsonObject
        {
            ["kind"] = "DataMoverResult",
            ["formatVersion"] = 1,
            ["mode"] = Value("MOVER_MODE"),
            ["outcome"] = "Succeeded",
            ["path"] = path,
            ["folder"] = folder,
            ["destination"] = destination,
            ["files"] = 3,
            ["bytes"] = 42,
            ["verified"] = "hash",
            ["ignoredSecretKeys"] = new JsonArray([.. (ignoredSecretKeys ?? []).Select(k => (JsonNode)k)]),
            ["message"] = "backup complete",
        }.ToJsonString();
    }

    /// <summary>Plays the job controller: sets a terminal condition.</summary>
    protected async Task FinishJobAsync(string jobName, bool succeeded)
    {
        var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        var conditions = succeeded
            ? new JsonArray(new JsonObject { ["type"] = "SuccessCriteriaMet", ["status"] = "True", ["lastTransitionTime"] = now }, new JsonObject { ["type"] = "Complete", ["status"] = "True", ["lastTransitionTime"] = now })
            : new JsonArray(new JsonObject { ["type"] = "FailureTarget", ["status"] = "True", ["lastTransitionTime"] = now }, new JsonObject { ["type"] = "Failed", ["status"] = "True", ["reason"] = "BackoffLimitExceeded", ["message"] = "Job has reached the specified backoff limit", ["lastTransitionTime"] = now });
        await Jobs.PatchStatusAsync(Ns, jobName, KubePatch.Merge(new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["conditions"] = conditions,
                ["succeeded"] = succeeded ? 1 : 0,
                ["failed"] = succeeded ? 0 : 3,
                ["startTime"] = now,
                ["completionTime"] = succeeded ? now : null,
            },
        }));
    }

    internal async Task<Dm> WaitForDataMoverAsync(string name, Func<Dm, bool> until, string what)
    {
        Dm? last = null;
        return await WaitAsync(async () =>
        {
            last = await DataMovers.GetAsync(Ns, name);
            return until(last) ? last : null;
        }, () => $"{what}; last status: {System.Text.Json.JsonSerializer.Serialize(last?.Status, OperatorJsonContext.Default.DataMoverStatus)}");
    }

    internal Task<Dm> WaitForPhaseAsync(string name, string phase) =>
        WaitForDataMoverAsync(name, d => d.Status?.Phase == phase, $"DataMover {name} to reach {phase}");

    internal Task<Dm> WaitForReasonAsync(string name, string reason) =>
        WaitForDataMoverAsync(name, d => Conditions.Find(d.Status?.Conditions, ConditionTypes.Progressing)?.Reason == reason, $"DataMover {name} to report {reason}");

    protected async Task<IReadOnlyList<PersistentVolumeClaim>> ClonesAsync() =>
        (await Pvcs.ListAsync(Ns, new ListOptions { LabelSelector = DataMoverLabels.CreatedBySelector })).Items;

    protected async Task<IReadOnlyList<Job>> JobListAsync() => (await Jobs.ListAsync(Ns)).Items;

    protected async Task<IReadOnlyList<Event>> EventsForAsync(string name) =>
        [.. (await Events.ListAsync(Ns)).Items.Where(e => e.InvolvedObject?.Name == name)];

    protected async Task<Event> WaitForEventAsync(string name, string reason) =>
        await WaitAsync(async () => (await EventsForAsync(name)).FirstOrDefault(e => e.Reason == reason), () => $"event {reason} on {name}");

    protected static async Task<T> WaitAsync<T>(Func<Task<T?>> probe, Func<string> what, TimeSpan? timeout = null) where T : class
    {
        var deadline = DateTime.UtcNow + (timeout ?? Timeout);
        while (true)
        {
            if (await probe() is { } result)
            {
                return result;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("timed out waiting for " + what());
            }

            await Task.Delay(50);
        }
    }
}
