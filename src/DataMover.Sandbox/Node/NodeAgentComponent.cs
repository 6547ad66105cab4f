using DataMover.Kube.Client;
using DataMover.Kube.Config;
using DataMover.Sandbox.Hosting;

namespace DataMover.Sandbox.Node;

/// <summary>
/// Hosts a <see cref="NodeAgent"/> next to the API server (unless --no-node). It connects through the kubeconfig
/// like the standalone <c>agent</c> command; the only in-process shortcut is serving pods/log from its files.
/// </summary>
internal sealed class NodeAgentComponent : IHostedComponent
{
    private readonly SandboxContext _context;
    private readonly NodeAgentOptions? _template;
    private KubeClient? _client;
    private NodeAgent? _agent;

    public NodeAgentComponent(SandboxContext context, NodeAgentOptions? template)
    {
        _context = context;
        _template = template;
    }

    public string Name => "node-agent";

    public NodeAgent? Agent => _agent;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_context.NoNode)
        {
            return;
        }

        _client = new KubeClient(KubeConfigLoader.Load(_context.KubeconfigPath));
        var options = (_template ?? new NodeAgentOptions { DataDir = _context.DataDir }) with { DataDir = Path.Combine(_context.DataDir, "node") };
        _agent = new NodeAgent(_client, options, _context.LoggerFactory);
        _context.SetPodLogSource(new NodePodLogSource(_agent));
        await _agent.StartAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_agent is not null)
        {
            await _agent.DisposeAsync();
        }

        _client?.Dispose();
    }
}
