using DataMover.Kube.Client;
using DataMover.Sandbox.ControlPlane;

namespace DataMover.Sandbox.Node;

/// <summary>
/// The node side of the sandbox: registration and heartbeat, kubelet, CSI provisioners and snapshotter. It talks to
/// the API server only through <see cref="KubeClient"/>, so it runs unchanged against any control plane.
/// </summary>
public sealed class NodeAgent : IAsyncDisposable
{
    private readonly KubeClient _client;
    private readonly NodeAgentOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly Kubelet _kubelet;
    private readonly VolumeProvisioner _provisioner;
    private readonly SnapshotController _snapshots;
    private readonly NodeRegistrar _registrar;
    private readonly InformerSet _informers;
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;

    public NodeAgent(KubeClient client, NodeAgentOptions options, ILoggerFactory loggers)
    {
        _client = client;
        _loggers = loggers;
        var repoRoot = options.RepoRoot ?? ImageTable.FindRepoRoot(AppContext.BaseDirectory);
        _options = options with { RepoRoot = repoRoot };
        Directory.CreateDirectory(options.DataDir);
        DataDirAccess.EnsureSearchable(options.DataDir);
        var resources = NodeResources.Detect();
        _informers = new InformerSet(client, loggers);
        _kubelet = new Kubelet(client, _informers, _options, new ImageTable(repoRoot, options.Images), resources, loggers);
        _provisioner = new VolumeProvisioner(client, _informers, _options, loggers);
        _snapshots = new SnapshotController(client, _informers, _options, loggers);
        _registrar = new NodeRegistrar(client, _options, resources, loggers);
        Logs = new PodLogReader(_kubelet);
    }

    public string NodeName => _options.NodeName;

    /// <summary>Completes when the agent stops (or faults).</summary>
    public Task Completion => _running;

    internal PodLogReader Logs { get; }

    /// <summary>
    /// Serves a pods/log request from the container log files (the in-process API server's log source calls this).
    /// </summary>
    public Task WriteLogsAsync(string ns, string pod, string container, bool follow, bool previous, long? tailLines, long? limitBytes, Stream output, CancellationToken cancellationToken) =>
        Logs.WriteLogsAsync(ns, pod, container, follow, previous, tailLines, limitBytes, output, cancellationToken);

    /// <summary>Registers the node and starts all loops; returns once the node is registered and caches are synced.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _registrar.RegisterAsync(cancellationToken);
        var token = _stop.Token;
        var informers = _informers.RunAsync(token);
        await _informers.WaitForSyncAsync(cancellationToken);
        _running = Task.WhenAll(
            informers,
            _registrar.RunHeartbeatAsync(token),
            _kubelet.Loop.RunAsync(token),
            _provisioner.Loop.RunAsync(token),
            _snapshots.RunAsync(token));
    }

    /// <summary>Stops the loops and kills every running container.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _kubelet.KillAll();
        try
        {
            await _running.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            // Loops that did not stop in time are abandoned; their containers are already dead.
        }

        _stop.Dispose();
    }
}
