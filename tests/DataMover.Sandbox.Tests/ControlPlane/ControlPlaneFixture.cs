using DataMover.Kube.Client;
using DataMover.Kube.Config;
using DataMover.Kube.Models;
using DataMover.Sandbox.ControlPlane;
using DataMover.Sandbox.Hosting;

namespace DataMover.Sandbox.Tests.ControlPlane;

/// <summary>
/// A sandbox with the control plane but no node agent: tests play the kubelet (<see cref="KubeletStandIn"/>), so pod
/// phases, exit codes and conditions are exactly what a test needs, with no containers to run.
/// </summary>
public sealed class ControlPlaneFixture : IAsyncLifetime
{
    private SandboxCluster? _cluster;
    private KubeClient? _client;

    public SandboxCluster Cluster => _cluster ?? throw new InvalidOperationException("not started");

    public KubeClient Client => _client ?? throw new InvalidOperationException("not started");

    public KubeletStandIn Kubelet => new(Client);

    public async Task InitializeAsync()
    {
        var options = new SandboxOptions();
        var controlPlane = new ControlPlaneOptions { JobPodFailureBackoff = TimeSpan.FromMilliseconds(100) };
        options.Components.Add(ctx => new ControlPlaneComponent(ctx, controlPlane));
        _cluster = await SandboxCluster.StartAsync(options);
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
}

[CollectionDefinition(Name)]
public sealed class ControlPlaneCollection : ICollectionFixture<ControlPlaneFixture>
{
    public const string Name = "control-plane";
}
