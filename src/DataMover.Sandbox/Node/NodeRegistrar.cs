using System.Globalization;
using System.Text.Json;
using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Sandbox.ControlPlane;
using KubeNode = DataMover.Kube.Models.Node;

namespace DataMover.Sandbox.Node;

/// <summary>
/// Registers the Node with a Ready status, keeps its heartbeat Lease in kube-node-lease renewed, and creates the
/// sandbox's StorageClasses, CSIDrivers and VolumeSnapshotClass when they are missing (what a cluster installer
/// and the CSI driver deployments would have done).
/// </summary>
internal sealed partial class NodeRegistrar
{
    private const int LeaseDurationSeconds = 40;
    private readonly KubeClient _client;
    private readonly NodeAgentOptions _options;
    private readonly NodeResources _resources;
    private readonly ILogger _logger;
    private string? _nodeUid;

    public NodeRegistrar(KubeClient client, NodeAgentOptions options, NodeResources resources, ILoggerFactory loggers)
    {
        _client = client;
        _options = options;
        _resources = resources;
        _logger = loggers.CreateLogger<NodeRegistrar>();
    }

    public async Task RegisterAsync(CancellationToken cancellationToken)
    {
        await EnsureStorageAsync(cancellationToken);
        var nodes = _client.Resource(KubeResources.Nodes);
        var now = DateTimeOffset.UtcNow;
        var node = await nodes.TryGetAsync(null, _options.NodeName, cancellationToken);
        if (node is null)
        {
            try
            {
                node = await nodes.CreateAsync(new KubeNode
                {
                    Metadata = new ObjectMeta
                    {
                        Name = _options.NodeName,
                        Labels = new Dictionary<string, string>
                        {
                            ["kubernetes.io/hostname"] = _options.NodeName,
                            ["kubernetes.io/os"] = "linux",
                            ["kubernetes.io/arch"] = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? "arm64" : "amd64",
                            ["beta.kubernetes.io/os"] = "linux",
                        },
                        Annotations = new Dictionary<string, string> { ["node.alpha.kubernetes.io/ttl"] = "0" },
                    },
                    Spec = new NodeSpec { ProviderId = "sandbox://" + _options.NodeName },
                }, cancellationToken);
            }
            catch (KubeApiException e) when (e.IsAlreadyExists)
            {
                node = await nodes.GetAsync(null, _options.NodeName, cancellationToken);
            }
        }

        var capacity = new Dictionary<string, string>
        {
            ["cpu"] = _resources.Cpu.ToString(CultureInfo.InvariantCulture),
            ["memory"] = (_resources.MemoryBytes / 1024).ToString(CultureInfo.InvariantCulture) + "Ki",
            ["pods"] = _resources.Pods.ToString(CultureInfo.InvariantCulture),
            ["ephemeral-storage"] = "100Gi",
        };
        var status = (node.Status ?? new NodeStatus()) with
        {
            Capacity = capacity,
            Allocatable = capacity,
            Addresses =
            [
                new NodeAddress { Type = "InternalIP", Address = NodeResources.LoopbackIp },
                new NodeAddress { Type = "Hostname", Address = _options.NodeName },
            ],
            Conditions =
            [
                Condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", now),
                Condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", now),
                Condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", now),
                Condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", now),
            ],
        };
        status.Extra ??= [];
        status.Extra["nodeInfo"] = JsonSerializer.SerializeToElement(new Dictionary<string, string>
        {
            ["kubeletVersion"] = "v1.32.0",
            ["kubeProxyVersion"] = "v1.32.0",
            ["operatingSystem"] = "linux",
            ["architecture"] = "amd64",
            ["containerRuntimeVersion"] = "bwrap://0.8.0",
            ["osImage"] = "DataMover sandbox",
            ["kernelVersion"] = Environment.OSVersion.Version.ToString(),
            ["machineID"] = "",
            ["systemUUID"] = "",
            ["bootID"] = "",
        }, NodeJsonContext.Default.DictionaryStringString);
        node = await nodes.ReplaceStatusAsync(node with { Status = status }, cancellationToken);
        _nodeUid = node.Metadata.Uid;
        await RenewLeaseAsync(cancellationToken);
        LogRegistered(_logger, _options.NodeName);
    }

    /// <summary>Renews the node lease on a fixed period, as the kubelet's heartbeat does.</summary>
    public async Task RunHeartbeatAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.LeaseRenewInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    await RenewLeaseAsync(cancellationToken);
                }
                catch (Exception e) when (e is KubeApiException or HttpRequestException or TimeoutException)
                {
                    LogLeaseFailed(_logger, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task RenewLeaseAsync(CancellationToken cancellationToken)
    {
        var leases = _client.Resource(KubeResources.Leases);
        var now = DateTimeOffset.UtcNow;
        var lease = await leases.TryGetAsync("kube-node-lease", _options.NodeName, cancellationToken);
        if (lease is null)
        {
            await leases.CreateAsync(new Lease
            {
                Metadata = new ObjectMeta
                {
                    Name = _options.NodeName,
                    Namespace = "kube-node-lease",
                    OwnerReferences = _nodeUid is null ? null :
                    [
                        new OwnerReference { ApiVersion = "v1", Kind = "Node", Name = _options.NodeName, Uid = _nodeUid },
                    ],
                },
                Spec = new LeaseSpec { HolderIdentity = _options.NodeName, LeaseDurationSeconds = LeaseDurationSeconds, RenewTime = now },
            }, cancellationToken);
            return;
        }

        await leases.ReplaceAsync(lease with { Spec = (lease.Spec ?? new LeaseSpec()) with { HolderIdentity = _options.NodeName, LeaseDurationSeconds = LeaseDurationSeconds, RenewTime = now } }, cancellationToken);
    }

    private async Task EnsureStorageAsync(CancellationToken cancellationToken)
    {
        var classes = _client.Resource(KubeResources.StorageClasses);
        var drivers = _client.Resource(KubeResources.CsiDrivers);
        var wanted = new[]
        {
            (Name: "standard", Driver: SandboxDrivers.HostPath, Default: true),
            (Name: "no-clone", Driver: SandboxDrivers.NoClone, Default: false),
            (Name: "slow", Driver: SandboxDrivers.Slow, Default: false),
        };
        foreach (var (name, driver, isDefault) in wanted)
        {
            await CreateIfMissingAsync(classes, new StorageClass
            {
                Metadata = new ObjectMeta
                {
                    Name = name,
                    Annotations = isDefault ? new Dictionary<string, string> { [WellKnown.DefaultClass] = "true" } : null,
                },
                Provisioner = driver,
                ReclaimPolicy = "Delete",
                VolumeBindingMode = "Immediate",
                AllowVolumeExpansion = true,
            }, cancellationToken);
        }

        foreach (var driver in SandboxDrivers.All)
        {
            var spec = new CsiDriverSpec { AttachRequired = false, PodInfoOnMount = false, VolumeLifecycleModes = ["Persistent"] };
            // As the csi-driver-host-path deployment: the kubelet applies fsGroup to these volumes.
            spec.Extra = new Dictionary<string, JsonElement> { ["fsGroupPolicy"] = JsonSerializer.SerializeToElement("File", NodeJsonContext.Default.String) };
            await CreateIfMissingAsync(drivers, new CsiDriver { Metadata = new ObjectMeta { Name = driver }, Spec = spec }, cancellationToken);
        }

        // The snapshot CRDs may not be served (a real cluster without the snapshotter): then there is no class to make.
        var snapshotClasses = _client.Resource(SnapshotController.VolumeSnapshotClasses);
        var snapshotClass = new GenericObject { Metadata = new ObjectMeta { Name = SnapshotController.DefaultClassName, Annotations = new Dictionary<string, string> { ["snapshot.storage.kubernetes.io/is-default-class"] = "true" } } };
        snapshotClass.Extra = new Dictionary<string, JsonElement>
        {
            ["driver"] = JsonSerializer.SerializeToElement(SandboxDrivers.HostPath, NodeJsonContext.Default.String),
            ["deletionPolicy"] = JsonSerializer.SerializeToElement("Delete", NodeJsonContext.Default.String),
        };
        try
        {
            await CreateIfMissingAsync(snapshotClasses, snapshotClass, cancellationToken);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            LogNoSnapshots(_logger);
        }
    }

    private static async Task CreateIfMissingAsync<T>(ResourceClient<T> resource, T obj, CancellationToken cancellationToken) where T : KubeObject
    {
        if (await resource.TryGetAsync(obj.Metadata.Namespace, obj.Metadata.Name!, cancellationToken) is not null)
        {
            return;
        }

        try
        {
            await resource.CreateAsync(obj, cancellationToken);
        }
        catch (KubeApiException e) when (e.IsAlreadyExists)
        {
            // Another agent won the race.
        }
    }

    private static NodeCondition Condition(string type, string status, string reason, string message, DateTimeOffset now) => new()
    {
        Type = type,
        Status = status,
        Reason = reason,
        Message = message,
        LastHeartbeatTime = now,
        LastTransitionTime = now,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered node {Node}")]
    private static partial void LogRegistered(ILogger logger, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing the node lease failed: {Error}")]
    private static partial void LogLeaseFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "VolumeSnapshotClass not served; snapshots disabled")]
    private static partial void LogNoSnapshots(ILogger logger);
}
