using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DataMover.Kube.Tests.Runtime;

/// <summary>
/// A loopback HTTP server that answers the configmaps collection of namespace "default" from scripts:
/// each list request takes the next list script, each watch request the next watch script.
/// </summary>
internal sealed class ScriptedWatchServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Func<HttpContext, Task>> _lists = new();
    private readonly ConcurrentQueue<Func<HttpContext, Task>> _watches = new();

    private ScriptedWatchServer(WebApplication app) => _app = app;

    public ConcurrentQueue<string?> WatchVersions { get; } = new();

    public Uri Url => new(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    public static async Task<ScriptedWatchServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        var server = new ScriptedWatchServer(app);
        app.MapGet("/api/v1/namespaces/default/configmaps", server.HandleAsync);
        await app.StartAsync();
        return server;
    }

    public void OnList(Func<HttpContext, Task> script) => _lists.Enqueue(script);

    public void OnWatch(Func<HttpContext, Task> script) => _watches.Enqueue(script);

    public static string ConfigMap(string name, int rv) =>
        $$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{name}}}","namespace":"default","uid":"uid-{{{name}}}","resourceVersion":"{{{rv}}}"},"data":{"v":"{{{rv}}}"}}""";

    public static Func<HttpContext, Task> List(int rv, params string[] items) => ctx =>
    {
        ctx.Response.ContentType = "application/json";
        return ctx.Response.WriteAsync($$$"""{"apiVersion":"v1","kind":"ConfigMapList","metadata":{"resourceVersion":"{{{rv}}}"},"items":[{{{string.Join(',', items)}}}]}""");
    };

    public static async Task SendAsync(HttpContext ctx, string type, string obj)
    {
        await ctx.Response.WriteAsync($$$"""{"type":"{{{type}}}","object":{{{obj}}}}""" + "\n");
        await ctx.Response.Body.FlushAsync();
    }

    public static async Task HoldAsync(HttpContext ctx)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, ctx.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The client went away.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        if (ctx.Request.Query["watch"] == "true")
        {
            WatchVersions.Enqueue(ctx.Request.Query["resourceVersion"]);
            ctx.Response.ContentType = "application/json";
            await ctx.Response.StartAsync();
            await ctx.Response.Body.FlushAsync();
            await (_watches.TryDequeue(out var watch) ? watch(ctx) : HoldAsync(ctx));
            return;
        }

        if (_lists.TryDequeue(out var list))
        {
            await list(ctx);
            return;
        }

        ctx.Response.StatusCode = 500;
    }
}
