using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Kube.Runtime;

namespace DataMover.Kube.Tests.Integration;

/// <summary>What a labelled informer caches from a real API server: only the labelled objects, without managedFields.</summary>
public sealed class InformerSelectorSandboxTests(SandboxFixture sandbox) : IClassFixture<SandboxFixture>
{
    [Fact]
    public async Task A_label_selector_keeps_unlabelled_objects_out_of_the_cache_on_list_and_watch()
    {
        var ns = await sandbox.NewNamespaceAsync();
        var configMaps = sandbox.Client.Resource(KubeResources.ConfigMaps);
        await configMaps.CreateAsync(Labelled(ns, "ours-before", "us"));
        await configMaps.CreateAsync(Labelled(ns, "theirs-before", "them"));
        var informer = new Informer<ConfigMap>(sandbox.Client, KubeResources.ConfigMaps, new InformerOptions { Namespace = ns, LabelSelector = "owner=us" });
        using var cts = new CancellationTokenSource();
        var run = informer.RunAsync(cts.Token);
        try
        {
            await informer.WaitForSyncAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            await configMaps.CreateAsync(Labelled(ns, "theirs-after", "them"));
            await configMaps.CreateAsync(Labelled(ns, "ours-after", "us"));
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (informer.Get(ns, "ours-after") is null && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            // Events are delivered in order: once "ours-after" is in, "theirs-after" would have been too.
            Assert.Equal(["ours-after", "ours-before"], informer.List(ns).Select(c => c.Metadata.Name ?? "").Order(StringComparer.Ordinal).ToArray());

            // The server keeps field ownership; the cache does not.
            Assert.True((await configMaps.GetAsync(ns, "ours-before")).Metadata.Extra?.ContainsKey("managedFields"));
            Assert.All(informer.List(ns), c => Assert.False(c.Metadata.Extra?.ContainsKey("managedFields") ?? false));
        }
        finally
        {
            await cts.CancelAsync();
            await run;
        }
    }

    private static ConfigMap Labelled(string ns, string name, string owner) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = ns, Labels = new Dictionary<string, string> { ["owner"] = owner } },
        Data = new Dictionary<string, string> { ["v"] = name },
    };
}
