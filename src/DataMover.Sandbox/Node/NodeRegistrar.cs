using System.Globalization;
using System.Text.Json;
using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Sandbox.ControlPlane;
using KubeNode = DataMover.Kube.Models.Node;

namespace DataMover.Sandbox.Node;

/// <summary>
/// Registers the Node with a Ready status, keeps its heartbeat Lease in kube-node-lease renewed, and creates the
/// sandbox's StorageClasses and CSIDrivers when they are missing (what a cluster installer and the CSI driver
/// deployments would have done). Every write of an existing object goes through <see cref="ConflictRetry"/>: the
/// control plane touches a new Node (the node lifecycle controller's taints) between its creation and the first
/// status write, as it does on a real cluster.
/// </summary>
internal sealed partial class NodeRegistrar
{
    private const int LeaseDurationSeconds = 40;
    private readonly KubeClient _client;
    private readonly NodeAgentOptions _options;
    private readonly NodeResources _resources;
    private readonly ILogger _logger;
    private string? _nodeUid;
    private volatile bool _statusPending = true;

    public NodeRegistrar(KubeClient client, NodeAgentOptions options, NodeResources resources, ILoggerFactory loggers)
    {
        _client = client;
        _options = options;
        _resources = resources;
        _logger = loggers.CreateLogger<NodeRegistrar>();
    }

    public async Task RegisterAsync(CancellationToken cancellationToken)
    {
        var node = await CreateNodeAsync(cancellationToken);
        _nodeUid = node.Metadata.Uid;
        // Like the kubelet, more start-up work happens between creating the Node and its first status write, so that
        // write must not trust the version the create returned.
        await EnsureStorageAsync(cancellationToken);
        await TryPostStatusAsync(node, cancellationToken);
        try
        {
            await RenewLeaseAsync(cancellationToken);
        }
        catch (KubeApiException e) when (e.IsConflict)
        {
            // The heartbeat renews it on its next tick.
            LogLeaseFailed(_logger, e.Message);
        }

        LogRegistered(_logger, _options.NodeName);
    }

    private async Task<KubeNode> CreateNodeAsync(CancellationToken cancellationToken)
    {
        var nodes = _client.Resource(KubeResources.Nodes);
        var node = await nodes.TryGetAsync(null, _options.NodeName, cancellationToken);
        if (node is not null)
        {
            return node;
        }

        try
        {
            return await nodes.CreateAsync(new KubeNode
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
            return await nodes.GetAsync(null, _options.NodeName, cancellationToken);
        }
    }

    /// <summary>
    /// Posts the node status; when it still conflicts after the bounded retries, the heartbeat posts it again later
    /// (the kubelet's status loop), so the agent keeps running either way.
    /// </summary>
    private async Task TryPostStatusAsync(KubeNode? known, CancellationToken cancellationToken)
    {
        var nodes = _client.Resource(KubeResources.Nodes);
        try
        {
            known ??= await nodes.GetAsync(null, _options.NodeName, cancellationToken);
            var written = await ConflictRetry.UpdateAsync(nodes, known, n => n with { Status = Status(n.Status) }, WriteTarget.Status, _logger, cancellationToken);
            _statusPending = written is null;
        }
        catch (KubeApiException e) when (e.IsConflict || e.IsNotFound)
        {
            _statusPending = true;
            LogStatusFailed(_logger, e.Message);
        }
    }

    private NodeStatus Status(NodeStatus? current)
    {
        var now = DateTimeOffset.UtcNow;
        var capacity = new Dictionary<string, string>
        {
            ["cpu"] = _resources.Cpu.ToString(CultureInfo.InvariantCulture),
            ["memory"] = (_resources.MemoryBytes / 1024).ToString(CultureInfo.InvariantCulture) + "Ki",
            ["pods"] = _resources.Pods.ToString(CultureInfo.InvariantCulture),
            ["ephemeral-storage"] = "100Gi",
        };
        var status = (current ?? new NodeStatus()) with
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
        status.Extra = new Dictionary<string, JsonElement>(status.Extra ?? [])
        {
            ["nodeInfo"] = JsonSerializer.SerializeToElement(new Dictionary<string, string>
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
            }, NodeJsonContext.Default.DictionaryStringString),
        };
        return status;
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
                    if (_statusPending)
                    {
                        await TryPostStatusAsync(null, cancellationToken);
                    }

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
            try
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
            catch (KubeApiException e) when (e.IsAlreadyExists)
            {
                lease = await leases.GetAsync("kube-node-lease", _options.NodeName, cancellationToken);
            }
        }

        await ConflictRetry.UpdateAsync(leases, lease, l => l with { Spec = (l.Spec ?? new LeaseSpec()) with { HolderIdentity = _options.NodeName, LeaseDurationSeconds = LeaseDurationSeconds, RenewTime = now } }, WriteTarget.Object, _logger, cancellationToken);
    }

    private async Task EnsureStorageAsync(CancellationToken cancellationToken)
    {
        var classes = _client.Resource(KubeResources.StorageClasses);
        var drivers = _client.Resource(KubeResources.CsiDrivers);
        var wanted = new[]
        {
            (Name: "standard", Driver: SandboxDrivers.HostPath, Default: true, Binding: "Immediate"),
            (Name: "no-clone", Driver: SandboxDrivers.NoClone, Default: false, Binding: "Immediate"),
            (Name: "slow", Driver: SandboxDrivers.Slow, Default: false, Binding: "Immediate"),
            // The binding mode of the default classes of EKS (gp2/gp3), GKE (standard-rwo) and AKS (managed-csi).
            (Name: "wffc", Driver: SandboxDrivers.HostPath, Default: false, Binding: WellKnown.WaitForFirstConsumer),
        };
        foreach (var (name, driver, isDefault, binding) in wanted)
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
                VolumeBindingMode = binding,
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
    }

    internal static async Task CreateIfMissingAsync<T>(ResourceClient<T> resource, T obj, CancellationToken cancellationToken) where T : KubeObject
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Posting the node status failed; the heartbeat posts it again: {Error}")]
    private static partial void LogStatusFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing the node lease failed: {Error}")]
    private static partial void LogLeaseFailed(ILogger logger, string error);
}
