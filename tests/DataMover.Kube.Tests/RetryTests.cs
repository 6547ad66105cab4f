using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using DataMover.Kube.Client;
using DataMover.Kube.Config;
using DataMover.Kube.Models;
using DataMover.Kube.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace DataMover.Kube.Tests;

/// <summary>Retries against a scripted Kestrel server on loopback.</summary>
public sealed class RetryTests
{
    private const string ConfigMapJson = """{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"c","namespace":"ns","resourceVersion":"7"},"data":{"k":"v"}}""";
    private const string ServerErrorJson = """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"etcdserver: request timed out","reason":"InternalError","code":500}""";

    [Fact]
    public async Task Honours_Retry_After_on_429_then_succeeds()
    {
        var calls = 0;
        await using var server = await ScriptedServer.StartAsync(app => app.MapGet("/api/v1/namespaces/ns/configmaps/c", (HttpContext context) =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                context.Response.Headers.RetryAfter = "1";
                return Results.Text("""{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"TooManyRequests","code":429}""", "application/json", statusCode: 429);
            }

            return Results.Text(ConfigMapJson, "application/json");
        }));
        using var client = new KubeClient(new KubeClientSettings { Server = server.BaseAddress });

        var watch = Stopwatch.StartNew();
        var cm = await client.Resource(KubeResources.ConfigMaps).GetAsync("ns", "c");

        Assert.Equal("v", cm.Data!["k"]);
        Assert.Equal(2, calls);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(950), $"waited only {watch.Elapsed}");
    }

    [Fact]
    public async Task A_500_on_GET_is_retried()
    {
        var calls = 0;
        await using var server = await ScriptedServer.StartAsync(app => app.MapGet("/api/v1/namespaces/ns/configmaps/c", () =>
            Interlocked.Increment(ref calls) < 3
                ? Results.Text(ServerErrorJson, "application/json", statusCode: 500)
                : Results.Text(ConfigMapJson, "application/json")));
        using var client = new KubeClient(new KubeClientSettings { Server = server.BaseAddress });

        await client.Resource(KubeResources.ConfigMaps).GetAsync("ns", "c");

        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task A_500_on_POST_is_not_retried()
    {
        var calls = 0;
        await using var server = await ScriptedServer.StartAsync(app => app.MapPost("/api/v1/namespaces/ns/configmaps", () =>
        {
            Interlocked.Increment(ref calls);
            return Results.Text(ServerErrorJson, "application/json", statusCode: 500);
        }));
        using var client = new KubeClient(new KubeClientSettings { Server = server.BaseAddress });

        var e = await Assert.ThrowsAsync<KubeApiException>(() =>
            client.Resource(KubeResources.ConfigMaps).CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Name = "c", Namespace = "ns" } }));

        Assert.Equal(HttpStatusCode.InternalServerError, e.StatusCode);
        Assert.Equal("InternalError", e.Reason);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Connection_refused_on_GET_is_retried_until_the_server_is_up()
    {
        var port = FreePort();
        using var client = new KubeClient(new KubeClientSettings { Server = new Uri($"http://127.0.0.1:{port}"), MaxAttempts = 6 });

        var get = client.Resource(KubeResources.ConfigMaps).GetAsync("ns", "c");
        await Task.Delay(300);
        Assert.False(get.IsCompleted);
        await using var server = await ScriptedServer.StartAsync(app => app.MapGet("/api/v1/namespaces/ns/configmaps/c", () => Results.Text(ConfigMapJson, "application/json")), port);

        var cm = await get.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("c", cm.Metadata.Name);
    }

    [Fact]
    public async Task Connection_refused_gives_up_after_MaxAttempts()
    {
        using var client = new KubeClient(new KubeClientSettings { Server = new Uri($"http://127.0.0.1:{FreePort()}"), MaxAttempts = 2 });
        await Assert.ThrowsAsync<HttpRequestException>(() => client.Resource(KubeResources.ConfigMaps).GetAsync("ns", "c"));
    }

    [Fact]
    public void Retry_After_may_be_an_http_date()
    {
        var now = new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero);
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(now.AddSeconds(3));
        Assert.Equal(TimeSpan.FromSeconds(3), KubeClient.RetryAfter(response, now));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
