using System.Text.Json.Nodes;
using DataMover.Sandbox.Hosting;

namespace DataMover.Sandbox.Tests;

/// <summary>Fan-out under load: every watcher sees every event, in order per object.</summary>
public sealed class ScaleTests
{
    [Fact]
    public async Task Thousand_configmaps_with_three_watchers_lose_nothing()
    {
        const int count = 1000;
        await using var cluster = await SandboxCluster.StartAsync(new SandboxOptions());
        using var api = new ApiClient(cluster.CreateHttpClient());
        await api.CreateOkAsync("/api/v1/namespaces", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "scale" } });
        const string path = "/api/v1/namespaces/scale/configmaps";
        var rv = (await api.GetAsync(path)).Str("metadata", "resourceVersion");
        var watchers = new List<WatchStream>();
        for (var i = 0; i < 3; i++)
        {
            watchers.Add(await WatchStream.OpenAsync(api.Http, $"{path}?watch=true&resourceVersion={rv}"));
        }

        // Four concurrent writers: each object is created and then modified once.
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
        {
            var name = $"cm-{i:D4}";
            await api.CreateOkAsync(path, new JsonObject { ["metadata"] = new JsonObject { ["name"] = name }, ["data"] = new JsonObject { ["n"] = "0" } });
            var patched = await api.PatchAsync($"{path}/{name}", ApiClient.Obj("""{"data":{"n":"1"}}"""));
            Assert.Equal(System.Net.HttpStatusCode.OK, patched.Status);
        });

        foreach (var watch in watchers)
        {
            var seen = new Dictionary<string, List<string>>();
            long lastRv = 0;
            for (var e = 0; e < count * 2; e++)
            {
                var evt = await watch.NextAsync(TimeSpan.FromSeconds(30));
                Assert.NotNull(evt);
                var obj = evt!["object"]!;
                var eventRv = long.Parse(obj["metadata"]!["resourceVersion"]!.ToString());
                Assert.True(eventRv > lastRv, "resourceVersions must increase along the stream");
                lastRv = eventRv;
                var name = obj["metadata"]!["name"]!.ToString();
                if (!seen.TryGetValue(name, out var types))
                {
                    seen[name] = types = [];
                }

                types.Add(evt["type"]!.ToString());
            }

            Assert.Equal(count, seen.Count);
            Assert.All(seen.Values, types => Assert.Equal(["ADDED", "MODIFIED"], types));
            await watch.DisposeAsync();
        }
    }
}
