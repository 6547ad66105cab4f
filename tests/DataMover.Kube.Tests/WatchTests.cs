using System.Diagnostics;
using DataMover.Kube.Client;
using DataMover.Kube.Config;
using DataMover.Kube.Models;
using DataMover.Kube.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace DataMover.Kube.Tests;

/// <summary>Watch streams as the API server writes them: one JSON event per line, chunked.</summary>
public sealed class WatchTests
{
    private const string Path = "/api/v1/namespaces/ns/configmaps";

    private static string Line(string type, string name, string rv) =>
        "{\"type\":\"" + type + "\",\"object\":{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"ns\",\"resourceVersion\":\"" + rv + "\"}}}";

    [Fact]
    public async Task Parses_added_modified_deleted_and_bookmark()
    {
        string? query = null;
        await using var server = await ScriptedServer.StartAsync(app => app.MapGet(Path, async context =>
        {
            query = context.Request.QueryString.Value;
            await Write(context, Line("ADDED", "a", "10"), Line("MODIFIED", "a", "11"), Line("DELETED", "a", "12"),
                """{"type":"BOOKMARK","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"resourceVersion":"20","annotations":{"k8s.io/initial-events-end":"true"}}}}""");
        }));
        using var client = new KubeClient(new KubeClientSettings { Server = server.BaseAddress });

        var events = await Collect(client, new WatchOptions { ResourceVersion = "9", TimeoutSeconds = 300 });

        Assert.Equal([WatchEventType.Added, WatchEventType.Modified, WatchEventType.Deleted, WatchEventType.Bookmark], events.Select(e => e.Type));
        Assert.Equal(["10", "11", "12", "20"], events.Select(e => e.Object.Metadata.ResourceVersion));
        Assert.Contains("watch=true", query, StringComparison.Ordinal);
        Assert.Contains("resourceVersion=9", query, StringComparison.Ordinal);
        Assert.Contains("allowWatchBookmarks=true", query, StringComparison.Ordinal);
        Assert.Contains("timeoutSeconds=300", query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ERROR_event_with_410_throws_WatchExpiredException()
    {
        await using var server = await ScriptedServer.StartAsync(app => app.MapGet(Path, context => Write(context,
            Line("ADDED", "a", "10"),
            """{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 5 (48213)","reason":"Expired","code":410}}""")));
        using var client = new KubeClient(new KubeClientSettings { Server = server.BaseAddress });

        var seen = new List<WatchEvent<ConfigMap>>();
        await Assert.ThrowsAsync<WatchExpiredException>(async () =>
        {
            await foreach (var e in client.Resource(KubeResources.ConfigMaps).WatchAsync("ns", new WatchOptions { ResourceVersion = "5" }))
            {
                seen.Add(e);
            }
        });
        Assert.Single(seen);
    }

    [Fact]
    public async Task An_HTTP_410_throws_WatchExpiredException()
    {
        await using var server = await ScriptedServer.StartAsync(app => app.MapGet(Path, () => Results.Text(
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version","reason":"Expired","code":410}""", "application/json", statusCode: 410)));
        using var client = new KubeClient(new KubeClientSettings { Server = server.BaseAddress });

        await Assert.ThrowsAsync<WatchExpiredException>(() => Collect(client, new WatchOptions { ResourceVersion = "1" }));
    }

    [Fact]
    public async Task A_silent_stream_ends_after_the_silence_timeout()
    {
        await using var server = await ScriptedServer.StartAsync(app => app.MapGet(Path, async context =>
        {
            await Write(context, Line("ADDED", "a", "10"));
            // A half-open connection: nothing more, ever.
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }));
        using var client = new KubeClient(new KubeClientSettings { Server = server.BaseAddress });

        var watch = Stopwatch.StartNew();
        var events = await Collect(client, new WatchOptions { SilenceTimeout = TimeSpan.FromMilliseconds(700) }).WaitAsync(TimeSpan.FromSeconds(15));

        Assert.Single(events);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(600), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_cut_connection_ends_the_enumeration()
    {
        await using var server = await ScriptedServer.StartAsync(app => app.MapGet(Path, async context =>
        {
            await Write(context, Line("ADDED", "a", "10"));
            // Let the client read what was sent: a reset discards data still unread in its socket buffer.
            await Task.Delay(300);
            context.Abort();
        }));
        using var client = new KubeClient(new KubeClientSettings { Server = server.BaseAddress });

        var events = await Collect(client, new WatchOptions()).WaitAsync(TimeSpan.FromSeconds(15));

        Assert.Single(events);
    }

    private static async Task<List<WatchEvent<ConfigMap>>> Collect(KubeClient client, WatchOptions options)
    {
        var events = new List<WatchEvent<ConfigMap>>();
        await foreach (var e in client.Resource(KubeResources.ConfigMaps).WatchAsync("ns", options))
        {
            events.Add(e);
        }

        return events;
    }

    private static async Task Write(HttpContext context, params string[] lines)
    {
        context.Response.ContentType = "application/json";
        foreach (var line in lines)
        {
            await context.Response.WriteAsync(line + "\n");
            await context.Response.Body.FlushAsync();
        }
    }
}
