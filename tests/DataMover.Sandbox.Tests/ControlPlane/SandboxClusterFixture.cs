using DataMover.Kube.Client;
using DataMover.Kube.Config;
using DataMover.Kube.Models;
using DataMover.Sandbox.Hosting;

namespace DataMover.Sandbox.Tests.ControlPlane;

/// <summary>An in-process sandbox and a client for it; subclasses choose the components it runs.</summary>
public abstract class SandboxClusterFixture : IAsyncLifetime
{
    private SandboxCluster? _cluster;
    private KubeClient? _client;

    public SandboxCluster Cluster => _cluster ?? throw new InvalidOperationException("not started");

    public KubeClient Client => _client ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        _cluster = await SandboxCluster.StartAsync(Options());
        _client = new KubeClient(KubeConfigLoader.Load(_cluster.KubeconfigPath));
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    public async Task<string> NewNamespaceAsync(string prefix)
    {
        var name = prefix + "-" + Guid.NewGuid().ToString("N")[..6];
        await Client.Resource(KubeResources.Namespaces).CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = name } });
        return name;
    }

    /// <summary>The sandbox's options, with the components this fixture runs.</summary>
    protected abstract SandboxOptions Options();
}
