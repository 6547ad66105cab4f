using DataMover.Kube.Client;
using DataMover.Kube.Config;
using DataMover.Kube.Models;
using DataMover.Sandbox.Hosting;

namespace DataMover.Kube.Tests.Integration;

/// <summary>One sandbox API server (no node side) shared by a test class; each test works in its own namespace.</summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    private SandboxCluster? _cluster;

    internal SandboxCluster Cluster => _cluster ?? throw new InvalidOperationException("not started");

    internal KubeClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _cluster = await SandboxCluster.StartAsync(new SandboxOptions { NoNode = true, WatchHistoryLimit = 50 });
        Client = new KubeClient(KubeConfigLoader.Load(_cluster.KubeconfigPath));
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    /// <summary>A fresh namespace for one test.</summary>
    internal async Task<string> NewNamespaceAsync()
    {
        var name = "t-" + Guid.NewGuid().ToString("N")[..10];
        await Client.Resource(KubeResources.Namespaces).CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = name } });
        return name;
    }
}
