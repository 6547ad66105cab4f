using DataMover.Sandbox.Hosting;

namespace DataMover.Sandbox.Tests;

/// <summary>One running sandbox shared by a test class; short bookmark interval so bookmark tests are quick.</summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    public SandboxCluster Cluster { get; private set; } = null!;

    public ApiClient Api { get; private set; } = null!;

    public Kubectl Kubectl { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await SandboxCluster.StartAsync(new SandboxOptions { BookmarkInterval = TimeSpan.FromSeconds(1) });
        Api = new ApiClient(Cluster.CreateHttpClient());
        Kubectl = new Kubectl(Cluster.KubeconfigPath, Path.Combine(Cluster.DataDir, "kubectl-home"));
    }

    public async Task DisposeAsync()
    {
        Api.Dispose();
        await Cluster.DisposeAsync();
        try
        {
            Directory.Delete(Cluster.DataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
