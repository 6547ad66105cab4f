using System.Globalization;
using DataMover.EndToEnd.Tests.Support;
using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Operator.Api;
using Xunit.Sdk;
using DataMoverResource = DataMover.Operator.Api.DataMover;

namespace DataMover.EndToEnd.Tests.Backup;

/// <summary>
/// One test's world inside the shared cluster: its namespace, and what a user would do there (a source PVC with
/// files, a storage Secret, DataMovers) plus event-driven waits that fail with kubectl-describe-like context.
/// </summary>
internal sealed class BackupScenario
{
    /// <summary>Time for a DataMover to end; generous because the shared CI machine may be slow.</summary>
    public static readonly TimeSpan BackupTimeout = TimeSpan.FromMinutes(4);

    private static readonly TimeSpan ObjectTimeout = TimeSpan.FromSeconds(60);

    private readonly BackupClusterFixture _cluster;

    public BackupScenario(BackupClusterFixture cluster, string ns)
    {
        _cluster = cluster;
        Namespace = ns;
        Diagnostics = new ScenarioDiagnostics(cluster, ns);
    }

    public string Namespace { get; }

    public ScenarioDiagnostics Diagnostics { get; }

    public S3Server S3 => _cluster.S3;

    public ResourceClient<DataMoverResource> DataMovers => _cluster.Client.Resource(DataMoverResources.DataMovers);

    public ResourceClient<DataMoverRestore> Restores => _cluster.Client.Resource(DataMoverResources.Restores);

    public ResourceClient<Job> Jobs => _cluster.Client.Resource(KubeResources.Jobs);

    public ResourceClient<PersistentVolumeClaim> Pvcs => _cluster.Client.Resource(KubeResources.PersistentVolumeClaims);

    public ResourceClient<PersistentVolume> Pvs => _cluster.Client.Resource(KubeResources.PersistentVolumes);

    public ResourceClient<Pod> Pods => _cluster.Client.Resource(KubeResources.Pods);

    public async Task CreateNamespaceAsync() =>
        await _cluster.Client.Resource(KubeResources.Namespaces).CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = Namespace } });

    /// <summary>A new bucket on the S3 server; each test writes only to its own.</summary>
    public async Task<string> NewBucketAsync(string purpose)
    {
        var bucket = S3ServerFixture.NewBucketName(purpose);
        await S3.CreateBucketAsync(bucket);
        return bucket;
    }

    /// <summary>
    /// The storage Secret as docs/mover.md describes it, pointing at the test's S3 server; <paramref name="overrides"/>
    /// replace single keys (wrong credentials, a closed port). Returns the values written.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> CreateStorageSecretAsync(string name, string bucket, params (string Key, string Value)[] overrides)
    {
        var data = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["AWS_ACCESS_KEY_ID"] = S3Server.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = S3Server.SecretAccessKey,
            ["AWS_REGION"] = S3Server.Region,
            ["BUCKET_HOST"] = S3Server.Host,
            ["BUCKET_PORT"] = S3.Port.ToString(CultureInfo.InvariantCulture),
            ["BUCKET_NAME"] = bucket,
            ["TLS_HOST"] = "false",
        };
        foreach (var (key, value) in overrides)
        {
            data[key] = value;
        }

        await CreateSecretAsync(name, data);
        return data;
    }

    /// <summary>A Secret holding exactly <paramref name="data"/> (e.g. another backend's keys).</summary>
    public async Task CreateSecretAsync(string name, IReadOnlyDictionary<string, string> data) =>
        await _cluster.Client.Resource(KubeResources.Secrets).CreateAsync(new Secret
        {
            Metadata = new ObjectMeta { Name = name, Namespace = Namespace },
            StringData = data.ToDictionary(entry => entry.Key, entry => entry.Value, StringComparer.Ordinal),
        });

    /// <summary>
    /// A PVC of storage class <c>standard</c> (the sandbox's hostpath CSI driver); once Bound, returns the host
    /// directory of its volume (<c>spec.hostPath.path</c> of the PV), where the test puts the application's files.
    /// </summary>
    public async Task<string> CreateSourceVolumeAsync(string name)
    {
        await Pvcs.CreateAsync(new PersistentVolumeClaim
        {
            Metadata = new ObjectMeta { Name = name, Namespace = Namespace },
            Spec = new PersistentVolumeClaimSpec
            {
                StorageClassName = "standard",
                AccessModes = ["ReadWriteOnce"],
                Resources = new ResourceRequirements { Requests = new Dictionary<string, string> { ["storage"] = "1Gi" } },
            },
        });
        return await VolumePathAsync(name);
    }

    /// <summary>The host directory of a PVC's volume (<c>spec.hostPath.path</c> of its PV), once the PVC is Bound.</summary>
    public async Task<string> VolumePathAsync(string name)
    {
        var bound = await WaitForAsync(Pvcs, name, pvc => pvc?.Status?.Phase == "Bound", $"PVC {name} to be Bound", ObjectTimeout);
        var pv = await Pvs.GetAsync(null, bound!.Spec!.VolumeName!);
        var path = pv.Spec?.HostPath?.Path;
        Assert.False(string.IsNullOrEmpty(path), $"PV {pv.Metadata.Name} of {name} has no spec.hostPath.path");
        Assert.True(Directory.Exists(path), $"volume directory {path} of PV {pv.Metadata.Name} does not exist");
        return path;
    }

    public async Task<DataMoverResource> CreateDataMoverAsync(string name, string sourcePvc, string secretName, bool addTimestampPrefix = false, bool deletePvcAfterBackup = false, string? path = null) =>
        await DataMovers.CreateAsync(new DataMoverResource
        {
            Metadata = new ObjectMeta { Name = name, Namespace = Namespace },
            Spec = new DataMoverSpec
            {
                SourcePvc = sourcePvc,
                SecretName = secretName,
                Path = path,
                AddTimestampPrefix = addTimestampPrefix,
                DeletePvcAfterBackup = deletePvcAfterBackup,
            },
        });

    /// <summary>Waits until the DataMover ends, and fails (with context) unless it ended in <paramref name="phase"/>.</summary>
    public async Task<DataMoverResource> WaitForEndAsync(string name, string phase)
    {
        var dm = await WaitForAsync(DataMovers, name, d => d?.Status?.Phase is "Completed" or "Failed", $"DataMover {name} to end (Completed or Failed)", BackupTimeout);
        if (dm!.Status!.Phase != phase)
        {
            throw new XunitException($"DataMover {Namespace}/{name} ended {dm.Status.Phase}, expected {phase}.\n{await Diagnostics.DescribeAsync(name)}");
        }

        return dm;
    }

    /// <summary>Creates a restore of <paramref name="source"/> into a new PVC of the sandbox's storage class.</summary>
    public async Task<DataMoverRestore> CreateRestoreAsync(string name, DataMoverRestoreSource source, string targetPvc, string? size = null) =>
        await Restores.CreateAsync(new DataMoverRestore
        {
            Metadata = new ObjectMeta { Name = name, Namespace = Namespace },
            Spec = new DataMoverRestoreSpec
            {
                Source = source,
                Target = new DataMoverRestoreTarget { Pvc = new DataMoverRestorePvc { Name = targetPvc, StorageClassName = "standard", Size = size } },
            },
        });

    /// <summary>Waits until the restore ends, and fails (with context) unless it Completed.</summary>
    public async Task<DataMoverRestore> WaitForRestoreCompletedAsync(string name)
    {
        var restore = await WaitForAsync(Restores, name, r => r?.Status?.Phase is "Completed" or "Failed", $"DataMoverRestore {name} to end (Completed or Failed)", BackupTimeout);
        if (restore!.Status!.Phase != "Completed")
        {
            var failed = restore.Status.Conditions?.FirstOrDefault(c => c.Type == "Failed");
            throw new XunitException(
                $"DataMoverRestore {Namespace}/{name} ended {restore.Status.Phase}: {failed?.Reason}: {failed?.Message}\n"
                + await Diagnostics.RawAsync($"apis/datamover.a-cup-of.coffee/v1alpha1/namespaces/{Namespace}/datamoverrestores/{name}")
                + "\n" + await Diagnostics.DescribeAsync());
        }

        return restore;
    }

    /// <summary>The DataMover's Failed condition is True and its message contains <paramref name="expected"/>.</summary>
    public async Task<Condition> AssertFailedBecauseAsync(DataMoverResource dm, string expected)
    {
        var failed = dm.Status?.Conditions?.FirstOrDefault(c => c.Type == "Failed");
        if (failed?.Status != "True" || failed.Message?.Contains(expected, StringComparison.OrdinalIgnoreCase) != true)
        {
            throw new XunitException(
                $"expected the Failed condition of {dm.Metadata.Name} to be True and mention \"{expected}\"; it is {failed?.Status ?? "absent"}: {failed?.Message}\n"
                + await Diagnostics.DescribeAsync(dm.Metadata.Name));
        }

        return failed;
    }

    /// <summary>
    /// Watches one object (by name, in this namespace; null = absent) until <paramref name="until"/> holds. Lists
    /// first, then watches from the list's version, re-listing whenever the stream ends; so no change is missed.
    /// </summary>
    public async Task<T?> WaitForAsync<T>(ResourceClient<T> resource, string name, Func<T?, bool> until, string what, TimeSpan timeout)
        where T : KubeObject
    {
        var ns = resource.Type.Namespaced ? Namespace : null;
        var selector = "metadata.name=" + name;
        using var deadline = new CancellationTokenSource(timeout);
        T? last = null;
        try
        {
            while (true)
            {
                var list = await resource.ListAsync(ns, new ListOptions { FieldSelector = selector }, deadline.Token);
                last = list.Items.FirstOrDefault();
                if (until(last))
                {
                    return last;
                }

                try
                {
                    var watch = new WatchOptions { ResourceVersion = list.Metadata.ResourceVersion, FieldSelector = selector, TimeoutSeconds = 30 };
                    await foreach (var change in resource.WatchAsync(ns, watch, deadline.Token))
                    {
                        if (change.Type == WatchEventType.Bookmark)
                        {
                            continue;
                        }

                        last = change.Type == WatchEventType.Deleted ? null : change.Object;
                        if (until(last))
                        {
                            return last;
                        }
                    }
                }
                catch (WatchExpiredException)
                {
                    // Too old a version: the next list starts over from the current state.
                }
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            var dataMover = resource.Type.Kind == "DataMover" ? name : null;
            throw new XunitException(
                $"Timed out after {timeout.TotalSeconds:0}s waiting for {what} in namespace {Namespace}; last seen: {(last is null ? "absent" : "present, resourceVersion " + last.Metadata.ResourceVersion)}.\n"
                + await Diagnostics.DescribeAsync(dataMover));
        }
    }

    /// <summary>The pods a Job created, oldest first.</summary>
    public async Task<IReadOnlyList<Pod>> PodsOfJobAsync(string jobName)
    {
        var pods = await Pods.ListAsync(Namespace, new ListOptions { LabelSelector = "batch.kubernetes.io/job-name=" + jobName });
        return [.. pods.Items.OrderBy(p => p.Metadata.CreationTimestamp).ThenBy(p => p.Metadata.Name, StringComparer.Ordinal)];
    }

    /// <summary>A pod's log through the API (pods/log), as kubectl logs reads it.</summary>
    public Task<string> PodLogAsync(string pod) => Diagnostics.PodLogAsync(pod);
}
