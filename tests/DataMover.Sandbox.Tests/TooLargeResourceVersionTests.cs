using System.Net;
using System.Text.Json.Nodes;
using DataMover.Sandbox.Hosting;

namespace DataMover.Sandbox.Tests;

/// <summary>
/// Reads from a resourceVersion newer than the server's, as clients send after etcd was restored from a backup:
/// the watch cache waits a bounded time for the version, then answers Too large resource version.
/// </summary>
public sealed class TooLargeResourceVersionTests
{
    private const string Path = "/api/v1/namespaces/default/configmaps";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static JsonObject ConfigMap(string name) =>
        new() { ["metadata"] = new JsonObject { ["name"] = name }, ["data"] = new JsonObject { ["k"] = "v" } };

    private static async Task<long> CurrentAsync(ApiClient api) => long.Parse((await api.GetAsync(Path)).Str("metadata", "resourceVersion")!);

    private static void AssertTooLarge(JsonNode status, long requested)
    {
        Assert.Equal(("Status", "Failure", "Timeout", "504"),
            (status["kind"]!.ToString(), status["status"]!.ToString(), status["reason"]!.ToString(), status["code"]!.ToString()));
        Assert.StartsWith($"Timeout: Too large resource version: {requested}, current: ", status["message"]!.ToString());
        Assert.Equal("1", status["details"]!["retryAfterSeconds"]!.ToString());
        var cause = Assert.Single(status["details"]!["causes"]!.AsArray());
        Assert.Equal(("ResourceVersionTooLarge", "Too large resource version"), (cause!["reason"]!.ToString(), cause["message"]!.ToString()));
    }

    [Fact]
    public async Task List_not_older_than_a_version_the_server_never_reaches_is_504_too_large()
    {
        await using var cluster = await SandboxCluster.StartAsync(new SandboxOptions());
        using var api = new ApiClient(cluster.CreateHttpClient());
        var requested = await CurrentAsync(api) + 1000;

        var response = await api.GetAsync($"{Path}?resourceVersion={requested}");

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.Status);
        AssertTooLarge(response.Object, requested);
        Assert.EndsWith($"current: {requested - 1000}", response.Str("message"));
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);

        var notOlderThan = await api.GetAsync($"{Path}?resourceVersion={requested}&resourceVersionMatch=NotOlderThan");
        Assert.Equal(HttpStatusCode.GatewayTimeout, notOlderThan.Status);
        AssertTooLarge(notOlderThan.Object, requested);
    }

    [Fact]
    public async Task List_waits_for_a_version_written_meanwhile()
    {
        await using var cluster = await SandboxCluster.StartAsync(new SandboxOptions());
        using var api = new ApiClient(cluster.CreateHttpClient());
        var requested = await CurrentAsync(api) + 1;

        var list = api.GetAsync($"{Path}?resourceVersion={requested}&resourceVersionMatch=NotOlderThan");
        await api.CreateOkAsync(Path, ConfigMap("arrives"));
        var response = await list;

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.True(long.Parse(response.Str("metadata", "resourceVersion")!) >= requested);
        Assert.Contains(response.Object["items"]!.AsArray(), i => i!["metadata"]!["name"]!.ToString() == "arrives");
    }

    [Fact]
    public async Task Exact_list_at_a_future_version_is_etcds_future_revision_error()
    {
        await using var cluster = await SandboxCluster.StartAsync(new SandboxOptions());
        using var api = new ApiClient(cluster.CreateHttpClient());
        var requested = await CurrentAsync(api) + 1000;

        var response = await api.GetAsync($"{Path}?resourceVersion={requested}&resourceVersionMatch=Exact");

        Assert.Equal(HttpStatusCode.InternalServerError, response.Status);
        Assert.Equal("etcdserver: mvcc: required revision is a future revision", response.Str("message"));
    }

    [Fact]
    public async Task Watch_list_from_a_version_the_server_never_reaches_ends_with_a_504_error_event()
    {
        await using var cluster = await SandboxCluster.StartAsync(new SandboxOptions());
        using var api = new ApiClient(cluster.CreateHttpClient());
        var requested = await CurrentAsync(api) + 1000;

        await using var watch = await WatchStream.OpenAsync(api.Http,
            $"{Path}?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&resourceVersion={requested}");
        var error = await watch.NextAsync(Wait);

        Assert.Equal("ERROR", error!["type"]!.ToString());
        AssertTooLarge(error["object"]!, requested);
        Assert.Null(await watch.NextAsync(Wait));
    }

    [Fact]
    public async Task Watch_list_from_a_version_written_meanwhile_proceeds()
    {
        await using var cluster = await SandboxCluster.StartAsync(new SandboxOptions());
        using var api = new ApiClient(cluster.CreateHttpClient());

        // The namespace's kube-root-ca.crt would be an initial event too; this test wants only its own object.
        await api.DeleteAsync($"{Path}/kube-root-ca.crt");
        var requested = await CurrentAsync(api) + 1;

        var opening = WatchStream.OpenAsync(api.Http,
            $"{Path}?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&resourceVersion={requested}");
        await api.CreateOkAsync(Path, ConfigMap("arrives"));
        await using var watch = await opening;

        var added = await watch.NextAsync(Wait);
        Assert.Equal(("ADDED", "arrives"), (added!["type"]!.ToString(), added["object"]!["metadata"]!["name"]!.ToString()));
        var end = await watch.NextAsync(Wait);
        Assert.Equal("BOOKMARK", end!["type"]!.ToString());
        Assert.Equal("true", end["object"]!["metadata"]!["annotations"]!["k8s.io/initial-events-end"]!.ToString());
    }

    [Fact]
    public async Task Plain_watch_from_a_future_version_is_accepted_and_silent_until_the_server_passes_it()
    {
        await using var cluster = await SandboxCluster.StartAsync(new SandboxOptions { BookmarkInterval = TimeSpan.FromMilliseconds(200) });
        using var api = new ApiClient(cluster.CreateHttpClient());
        var requested = await CurrentAsync(api) + 2;

        await using var watch = await WatchStream.OpenAsync(api.Http, $"{Path}?watch=true&allowWatchBookmarks=true&resourceVersion={requested}");
        await api.CreateOkAsync(Path, ConfigMap("at-plus-one"));
        await api.CreateOkAsync(Path, ConfigMap("at-plus-two"));
        await api.CreateOkAsync(Path, ConfigMap("after"));

        // No change at or below the requested version is sent, nor a bookmark older than it.
        var first = await watch.NextAsync(Wait);
        while (first!["type"]!.ToString() == "BOOKMARK")
        {
            Assert.True(long.Parse(first["object"]!["metadata"]!["resourceVersion"]!.ToString()) >= requested);
            first = await watch.NextAsync(Wait);
        }

        Assert.Equal("ADDED", first["type"]!.ToString());
        Assert.Equal("after", first["object"]!["metadata"]!["name"]!.ToString());
    }
}
