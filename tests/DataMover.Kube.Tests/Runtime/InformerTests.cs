using System.Collections.Concurrent;
using DataMover.Kube.Client;
using DataMover.Kube.Config;
using DataMover.Kube.Models;
using DataMover.Kube.Runtime;
using static DataMover.Kube.Tests.Runtime.ScriptedWatchServer;

namespace DataMover.Kube.Tests.Runtime;

public sealed class InformerTests
{
    [Fact]
    public async Task Resumes_a_cut_watch_from_the_last_version_and_relists_after_expiry_emitting_missed_deletes()
    {
        await using var server = await StartAsync();
        server.OnList(List(5, ConfigMap("a", 5), ConfigMap("b", 4)));
        server.OnWatch(async ctx =>
        {
            await SendAsync(ctx, "MODIFIED", ConfigMap("a", 6));
            await SendAsync(ctx, "BOOKMARK", """{"kind":"ConfigMap","apiVersion":"v1","metadata":{"resourceVersion":"8"}}""");
            // Returning ends the response: the connection is cut.
        });
        server.OnWatch(async ctx =>
        {
            await SendAsync(ctx, "ADDED", ConfigMap("c", 9));
            await SendAsync(ctx, "ERROR", """{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 8 (9)","reason":"Expired","code":410}""");
        });
        // "b" was deleted while the informer could not see it.
        server.OnList(List(10, ConfigMap("a", 6), ConfigMap("c", 9)));

        var (informer, events, run, cts) = Start(server);
        await WaitUntilAsync(() => events.Count >= 5);
        await WaitUntilAsync(() => server.WatchVersions.Count >= 3);
        await cts.CancelAsync();
        await run;

        Assert.Equal(["add a 5", "add b 4", "update a 6", "add c 9", "delete b 4"], events.ToArray());
        Assert.Equal(new[] { "5", "8", "10" }, server.WatchVersions.Select(v => v ?? "").ToArray());
        Assert.Equal(new[] { "a", "c" }, informer.List().Select(c => c.Metadata.Name ?? "").Order().ToArray());
        Assert.Equal("10", informer.LastSyncResourceVersion);
    }

    [Fact]
    public async Task A_silent_watch_is_abandoned_and_resumed()
    {
        await using var server = await StartAsync();
        server.OnList(List(1));
        server.OnWatch(HoldAsync);
        server.OnWatch(async ctx =>
        {
            await SendAsync(ctx, "ADDED", ConfigMap("x", 2));
            await HoldAsync(ctx);
        });

        var (informer, events, run, cts) = Start(server, TimeSpan.FromSeconds(1));
        await WaitUntilAsync(() => events.Count >= 1);
        await cts.CancelAsync();
        await run;

        Assert.Equal(["add x 2"], events.ToArray());
        Assert.Equal(new[] { "1", "1" }, server.WatchVersions.Take(2).Select(v => v ?? "").ToArray());
        Assert.True(informer.HasSynced);
    }

    [Fact]
    public async Task Indexes_follow_updates_and_deletes()
    {
        await using var server = await StartAsync();
        server.OnList(List(3, ConfigMap("a", 3)));
        server.OnWatch(async ctx =>
        {
            await SendAsync(ctx, "DELETED", ConfigMap("a", 4));
            await HoldAsync(ctx);
        });

        var client = new KubeClient(new KubeClientSettings { Server = server.Url });
        var informer = new Informer<ConfigMap>(client, KubeResources.ConfigMaps, new InformerOptions { Namespace = "default" });
        informer.AddIndex("by-data", c => c.Data is { } d ? [d["v"]] : []);
        var deleted = new TaskCompletionSource();
        informer.AddHandler(new InformerHandler<ConfigMap>(OnDelete: _ => deleted.TrySetResult()));
        using var cts = new CancellationTokenSource();
        var run = informer.RunAsync(cts.Token);
        await informer.WaitForSyncAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Single(informer.ByIndex("by-data", "3"));
        await deleted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(informer.ByIndex("by-data", "3"));
        await cts.CancelAsync();
        await run;
    }

    private static (Informer<ConfigMap> Informer, ConcurrentQueue<string> Events, Task Run, CancellationTokenSource Cts) Start(ScriptedWatchServer server, TimeSpan? silence = null)
    {
        var client = new KubeClient(new KubeClientSettings { Server = server.Url });
        var informer = new Informer<ConfigMap>(client, KubeResources.ConfigMaps, new InformerOptions
        {
            Namespace = "default",
            MinBackoff = TimeSpan.FromMilliseconds(10),
            SilenceTimeout = silence,
        });
        var events = new ConcurrentQueue<string>();
        string Describe(ConfigMap c) => $"{c.Metadata.Name} {c.Metadata.ResourceVersion}";
        informer.AddHandler(new InformerHandler<ConfigMap>(
            c => events.Enqueue("add " + Describe(c)),
            (_, c) => events.Enqueue("update " + Describe(c)),
            c => events.Enqueue("delete " + Describe(c))));
        var cts = new CancellationTokenSource();
        return (informer, events, informer.RunAsync(cts.Token), cts);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 15s");
            await Task.Delay(20);
        }
    }
}
