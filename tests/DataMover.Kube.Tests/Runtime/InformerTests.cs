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
    public async Task A_watch_refused_with_too_large_resource_version_relists_from_scratch()
    {
        await using var server = await StartAsync();
        server.OnList(List(50, ConfigMap("a", 50), ConfigMap("b", 49)));
        // etcd was restored from an older backup: the server is at 20 and refuses to watch from 50.
        server.OnWatchFailure(504, StatusJson(504, "Timeout", "Too large resource version: 50, current: 20", "ResourceVersionTooLarge"));
        server.OnList(List(21, ConfigMap("a", 20)));

        var (informer, events, run, cts) = Start(server, maxAttempts: 1);
        // Healthy again once the second watch is established (its headers reached the client), which comes after
        // the server has recorded the request.
        await WaitUntilAsync(() => server.WatchVersions.Count >= 2 && informer.Health.Synced);
        await cts.CancelAsync();
        await run;

        Assert.Equal(new[] { "50", "21" }, server.WatchVersions.Select(v => v ?? "").ToArray());
        Assert.All(server.ListVersions, v => Assert.True(string.IsNullOrEmpty(v)));
        Assert.Equal(["add a 50", "add b 49", "update a 20", "delete b 49"], events.ToArray());
        Assert.True(informer.Health.Synced);
    }

    [Fact]
    public async Task A_too_large_resource_version_sent_as_a_watch_error_event_relists()
    {
        await using var server = await StartAsync();
        server.OnList(List(50));
        server.OnWatch(ctx => SendAsync(ctx, "ERROR", StatusJson(504, "Timeout", "Too large resource version: 50, current: 20", "ResourceVersionTooLarge")));
        server.OnList(List(21));

        var (_, _, run, cts) = Start(server, maxAttempts: 1);
        await WaitUntilAsync(() => server.WatchVersions.Count >= 2);
        await cts.CancelAsync();
        await run;

        Assert.Equal(new[] { "50", "21" }, server.WatchVersions.Select(v => v ?? "").ToArray());
    }

    [Fact]
    public async Task A_watch_answered_410_Gone_relists()
    {
        await using var server = await StartAsync();
        server.OnList(List(5));
        server.OnWatchFailure(410, StatusJson(410, "Expired", "too old resource version: 5 (9)"));
        server.OnList(List(9, ConfigMap("z", 9)));

        var (informer, events, run, cts) = Start(server, maxAttempts: 1);
        await WaitUntilAsync(() => server.WatchVersions.Count >= 2);
        await cts.CancelAsync();
        await run;

        Assert.Equal(new[] { "5", "9" }, server.WatchVersions.Select(v => v ?? "").ToArray());
        Assert.Equal(["add z 9"], events.ToArray());
        Assert.NotNull(informer.Get("default", "z"));
    }

    [Theory]
    [InlineData(403, "Forbidden")]
    [InlineData(500, "InternalError")]
    public async Task A_watch_failing_otherwise_relists_after_backoff_instead_of_retrying_the_same_watch_forever(int code, string reason)
    {
        await using var server = await StartAsync();
        server.OnList(List(5));
        server.OnWatchFailure(code, StatusJson(code, reason, "no"));
        server.OnList(List(6));

        var (informer, _, run, cts) = Start(server, maxAttempts: 1);
        await WaitUntilAsync(() => server.WatchVersions.Count >= 2);
        await cts.CancelAsync();
        await run;

        Assert.Equal(2, server.ListVersions.Count);
        Assert.Equal(new[] { "5", "6" }, server.WatchVersions.Select(v => v ?? "").ToArray());
        Assert.True(informer.Health.Synced);
    }

    [Theory]
    [InlineData(503)]
    [InlineData(504)]
    [InlineData(500)]
    public async Task Failed_lists_are_retried_and_health_reports_the_error_until_the_informer_recovers(int code)
    {
        await using var server = await StartAsync();
        var failures = 3;
        var recover = new TaskCompletionSource();
        for (var i = 0; i < failures; i++)
        {
            server.OnList(Fail(code, StatusJson(code, "ServiceUnavailable", "etcd is down")));
        }

        server.OnList(async ctx =>
        {
            await recover.Task;
            await List(7, ConfigMap("a", 7))(ctx);
        });

        var (informer, _, run, cts) = Start(server, maxAttempts: 1);
        await WaitUntilAsync(() => server.ListVersions.Count >= failures + 1);
        var stuck = informer.Health;
        Assert.False(stuck.Synced);
        Assert.NotNull(stuck.UnhealthySince);
        Assert.Contains("etcd is down", stuck.LastError, StringComparison.Ordinal);
        Assert.False(informer.HasSynced);

        recover.SetResult();
        await WaitUntilAsync(() => informer.Health.Synced);
        Assert.Null(informer.Health.UnhealthySince);
        Assert.Null(informer.Health.LastError);
        await cts.CancelAsync();
        await run;
    }

    [Fact]
    public async Task A_hung_list_times_out_and_is_retried()
    {
        await using var server = await StartAsync();
        server.OnList(HoldAsync);
        server.OnList(List(3, ConfigMap("a", 3)));

        var (informer, _, run, cts) = Start(server, maxAttempts: 1, requestTimeout: TimeSpan.FromSeconds(1));
        await informer.WaitForSyncAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        await WaitUntilAsync(() => informer.Health.Synced);
        await cts.CancelAsync();
        await run;

        Assert.Equal(2, server.ListVersions.Count);
    }

    [Fact]
    public async Task A_reset_watch_connection_resumes_from_the_last_version()
    {
        await using var server = await StartAsync();
        server.OnList(List(3));
        var received = new TaskCompletionSource();
        server.OnWatch(async ctx =>
        {
            await SendAsync(ctx, "ADDED", ConfigMap("a", 4));
            // A reset discards what the client has not read yet, so cut only once the event is in.
            await received.Task;
            ctx.Abort();
        });

        var (informer, events, run, cts) = Start(server);
        await WaitUntilAsync(() => !events.IsEmpty);
        received.SetResult();
        await WaitUntilAsync(() => server.WatchVersions.Count >= 2);
        await cts.CancelAsync();
        await run;

        Assert.Equal(new[] { "3", "4" }, server.WatchVersions.Select(v => v ?? "").ToArray());
        Assert.Single(server.ListVersions);
        Assert.Equal(["add a 4"], events.ToArray());
    }

    [Fact]
    public async Task Indexes_follow_updates_and_deletes()
    {
        await using var server = await StartAsync();
        server.OnList(List(3, ConfigMap("a", 3)));
        // The delete waits for the test to have looked at the listed state; sent at once it could beat the first assert.
        var sendDelete = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.OnWatch(async ctx =>
        {
            await sendDelete.Task;
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
        sendDelete.SetResult();
        await deleted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(informer.ByIndex("by-data", "3"));
        await cts.CancelAsync();
        await run;
    }

    private static (Informer<ConfigMap> Informer, ConcurrentQueue<string> Events, Task Run, CancellationTokenSource Cts) Start(ScriptedWatchServer server, TimeSpan? silence = null, int maxAttempts = 4, TimeSpan? requestTimeout = null)
    {
        var client = new KubeClient(new KubeClientSettings { Server = server.Url, MaxAttempts = maxAttempts, RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(30) });
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
