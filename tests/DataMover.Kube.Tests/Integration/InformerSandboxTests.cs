using System.Collections.Concurrent;
using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Kube.Runtime;

namespace DataMover.Kube.Tests.Integration;

/// <summary>The informer against the sandbox while the server cuts every watch and its history is short.</summary>
public sealed class InformerSandboxTests(SandboxFixture sandbox) : IClassFixture<SandboxFixture>
{
    [Fact]
    public async Task Cut_and_expired_watches_converge_without_duplicated_or_reordered_updates()
    {
        var ns = await sandbox.NewNamespaceAsync();
        var configMaps = sandbox.Client.Resource(KubeResources.ConfigMaps);
        var informer = new Informer<ConfigMap>(sandbox.Client, KubeResources.ConfigMaps, new InformerOptions
        {
            Namespace = ns,

            // Every namespace also holds the kube-root-ca.crt ConfigMap, as on a real cluster; this test watches its own.
            FieldSelector = "metadata.name!=kube-root-ca.crt",
            MinBackoff = TimeSpan.FromMilliseconds(20),
        });
        var seen = new ConcurrentDictionary<string, ConcurrentQueue<int>>();
        void Record(ConfigMap c) => seen.GetOrAdd(c.Metadata.Name!, _ => new()).Enqueue(int.Parse(c.Data!["v"], System.Globalization.CultureInfo.InvariantCulture));
        informer.AddHandler(new InformerHandler<ConfigMap>(Record, (_, c) => Record(c)));
        using var cts = new CancellationTokenSource();
        var run = informer.RunAsync(cts.Token);
        await informer.WaitForSyncAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        sandbox.Cluster.Faults.CutWatchesEvery = TimeSpan.FromMilliseconds(300);
        try
        {
            const int objects = 20;
            const int updates = 8;
            for (var round = 0; round < updates; round++)
            {
                for (var i = 0; i < objects; i++)
                {
                    var cm = new ConfigMap
                    {
                        Metadata = new ObjectMeta { Name = $"cm-{i}", Namespace = ns },
                        Data = new Dictionary<string, string> { ["v"] = round.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                    };
                    if (round == 0)
                    {
                        await configMaps.CreateAsync(cm);
                    }
                    else
                    {
                        await configMaps.ReplaceAsync(cm);
                    }
                }

                await Task.Delay(100);
            }

            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (informer.List(ns).Count(c => c.Data!["v"] == $"{updates - 1}") < objects && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            Assert.Equal(objects, informer.List(ns).Count(c => c.Data!["v"] == $"{updates - 1}"));
            Assert.All(seen, kv =>
            {
                var values = kv.Value.ToArray();
                Assert.True(values.Zip(values.Skip(1)).All(p => p.First < p.Second), $"{kv.Key}: {string.Join(",", values)}");
            });
        }
        finally
        {
            sandbox.Cluster.Faults.CutWatchesEvery = null;
            await cts.CancelAsync();
            await run;
        }
    }
}
