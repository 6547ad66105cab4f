using System.Net;
using System.Text.Json.Nodes;
using DataMover.Sandbox.Hosting;

namespace DataMover.Sandbox.Tests;

/// <summary>Watch semantics: initial events, resume, bookmarks, 410 Gone, filtering, timeouts, faults.</summary>
public sealed class WatchTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static JsonObject ConfigMap(string name, string? label = null)
    {
        var meta = new JsonObject { ["name"] = name };
        if (label is not null)
        {
            meta["labels"] = new JsonObject { ["app"] = label };
        }

        return new JsonObject { ["metadata"] = meta, ["data"] = new JsonObject { ["k"] = "v" } };
    }

    [Fact]
    public async Task Watch_without_version_lists_then_streams_and_resumes_from_a_version()
    {
        await using var cluster = await SandboxCluster.StartAsync(new SandboxOptions());
        using var api = new ApiClient(cluster.CreateHttpClient());
        const string path = "/api/v1/namespaces/default/configmaps";

        // The namespace's kube-root-ca.crt would be listed first; this test wants only its own objects.
        Assert.Equal(HttpStatusCode.OK, (await api.DeleteAsync($"{path}/kube-root-ca.crt")).Status);
        var first = await api.CreateOkAsync(path, ConfigMap("one"));

        await using (var watch = await WatchStream.OpenAsync(api.Http, $"{path}?watch=true"))
        {
            var added = await watch.NextAsync(Wait);
            Assert.Equal("ADDED", added!["type"]!.ToString());
            Assert.Equal("one", added["object"]!["metadata"]!["name"]!.ToString());
            Assert.Equal("ConfigMap", added["object"]!["kind"]!.ToString());
            await api.CreateOkAsync(path, ConfigMap("two"));
            var next = await watch.NextAsync(Wait);
            Assert.Equal("two", next!["object"]!["metadata"]!["name"]!.ToString());
        }

        var rv = first["metadata"]!["resourceVersion"]!.ToString();
        await using var resumed = await WatchStream.OpenAsync(api.Http, $"{path}?watch=true&resourceVersion={rv}");
        var replay = await resumed.NextAsync(Wait);
        Assert.Equal("ADDED", replay!["type"]!.ToString());
        Assert.Equal("two", replay["object"]!["metadata"]!["name"]!.ToString());

        await using var legacy = await WatchStream.OpenAsync(api.Http, $"/api/v1/watch/namespaces/default/configmaps/one?resourceVersion={rv}");
        Assert.Equal(HttpStatusCode.OK, (await api.DeleteAsync($"{path}/one")).Status);
        var deleted = await legacy.NextAsync(Wait);
        Assert.Equal("DELETED", deleted!["type"]!.ToString());
        Assert.Equal("one", deleted["object"]!["metadata"]!["name"]!.ToString());
    }

    [Fact]
    public async Task Bookmarks_carry_only_the_resource_version()
    {
        await using var cluster = await SandboxCluster.StartAsync(new SandboxOptions { BookmarkInterval = TimeSpan.FromMilliseconds(500) });
        using var api = new ApiClient(cluster.CreateHttpClient());
        var list = await api.GetAsync("/api/v1/namespaces/default/configmaps");
        var rv = list.Str("metadata", "resourceVersion");
        await using var watch = await WatchStream.OpenAsync(api.Http, $"/api/v1/namespaces/default/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion={rv}");
        var bookmark = await watch.NextAsync(Wait);
        Assert.Equal("BOOKMARK", bookmark!["type"]!.ToString());
        var obj = bookmark["object"]!.AsObject();
        Assert.Equal("ConfigMap", obj["kind"]!.ToString());
        Assert.Equal("v1", obj["apiVersion"]!.ToString());
        Assert.Equal(["resourceVersion"], obj["metadata"]!.AsObject().Select(kv => kv.Key));
        Assert.True(long.Parse(obj["metadata"]!["resourceVersion"]!.ToString()) >= long.Parse(rv!));
    }

    [Fact]
    public async Task Watch_from_a_version_older_than_the_window_gets_410_gone()
    {
        await using var cluster = await SandboxCluster.StartAsync(new SandboxOptions { WatchHistoryLimit = 5 });
        using var api = new ApiClient(cluster.CreateHttpClient());
        const string path = "/api/v1/namespaces/default/configmaps";
        var first = await api.CreateOkAsync(path, ConfigMap("c0"));
        for (var i = 1; i < 10; i++)
        {
            await api.CreateOkAsync(path, ConfigMap($"c{i}"));
        }

        var rv = first["metadata"]!["resourceVersion"]!.ToString();
        await using var watch = await WatchStream.OpenAsync(api.Http, $"{path}?watch=true&resourceVersion={rv}");
        var error = await watch.NextAsync(Wait);
        Assert.Equal("ERROR", error!["type"]!.ToString());
        var status = error["object"]!;
        Assert.Equal("Status", status["kind"]!.ToString());
        Assert.Equal("410", status["code"]!.ToString());
        Assert.Equal("Expired", status["reason"]!.ToString());
        Assert.StartsWith($"too old resource version: {rv} (", status["message"]!.ToString());
        Assert.Null(await watch.NextAsync(Wait));

        var list = await api.GetAsync($"{path}?resourceVersion={rv}");
        Assert.Equal(HttpStatusCode.OK, list.Status);
    }

    [Fact]
    public async Task Filtered_watch_turns_label_changes_into_added_and_deleted()
    {
        await using var cluster = await SandboxCluster.StartAsync(new SandboxOptions());
        using var api = new ApiClient(cluster.CreateHttpClient());
        const string path = "/api/v1/namespaces/default/configmaps";
        var rv = (await api.GetAsync(path)).Str("metadata", "resourceVersion");
        await using var watch = await WatchStream.OpenAsync(api.Http, $"{path}?watch=true&labelSelector=app%3Dweb&resourceVersion={rv}");
        await api.CreateOkAsync(path, ConfigMap("x", "db"));
        await api.PatchAsync($"{path}/x", ApiClient.Obj("""{"metadata":{"labels":{"app":"web"}}}"""));
        await api.PatchAsync($"{path}/x", ApiClient.Obj("""{"data":{"k":"2"}}"""));
        await api.PatchAsync($"{path}/x", ApiClient.Obj("""{"metadata":{"labels":{"app":"db"}}}"""));
        Assert.Equal("ADDED", (await watch.NextAsync(Wait))!["type"]!.ToString());
        Assert.Equal("MODIFIED", (await watch.NextAsync(Wait))!["type"]!.ToString());
        Assert.Equal("DELETED", (await watch.NextAsync(Wait))!["type"]!.ToString());
    }

    [Fact]
    public async Task Timeout_seconds_ends_the_stream()
    {
        await using var cluster = await SandboxCluster.StartAsync(new SandboxOptions());
        using var api = new ApiClient(cluster.CreateHttpClient());
        await using var watch = await WatchStream.OpenAsync(api.Http, "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=1&timeoutSeconds=1");
        var completed = await Task.WhenAny(watch.Completion, Task.Delay(Wait));
        Assert.Same(watch.Completion, completed);
    }

    [Fact]
    public async Task Fault_injection_errors_and_watch_cuts()
    {
        await using var cluster = await SandboxCluster.StartAsync(new SandboxOptions { Faults = "error429=1:list,seed=1" });
        using var api = new ApiClient(cluster.CreateHttpClient());
        var throttled = await api.GetAsync("/api/v1/namespaces/default/configmaps");
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.Status);
        Assert.Equal("1", throttled.Headers.RetryAfter!.Delta!.Value.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/namespaces/default")).Status);

        cluster.Faults.Configure("error500=1:get");
        var failed = await api.GetAsync("/api/v1/namespaces/default");
        Assert.Equal(HttpStatusCode.InternalServerError, failed.Status);
        Assert.Equal("InternalError", failed.Str("reason"));

        cluster.Faults.Configure("conflict=1");
        var conflict = await api.PostAsync("/api/v1/namespaces/default/configmaps", ConfigMap("c"));
        Assert.Equal(HttpStatusCode.Conflict, conflict.Status);

        cluster.Faults.Configure("cutWatches=0.5");
        await using var watch = await WatchStream.OpenAsync(api.Http, "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=1");
        var completed = await Task.WhenAny(watch.Completion, Task.Delay(Wait));
        Assert.Same(watch.Completion, completed);

        cluster.Faults.Clear();
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync("/api/v1/namespaces/default/configmaps", ConfigMap("d"))).Status);
        Assert.Throws<FormatException>(() => cluster.Faults.Configure("explode=1"));
    }
}
