using System.Collections.Concurrent;
using System.Text.Json.Nodes;
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
    private readonly ConcurrentQueue<(bool Raw, Func<HttpContext, Task> Script)> _watches = new();

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

    public ConcurrentQueue<string?> ListVersions { get; } = new();

    public void OnWatch(Func<HttpContext, Task> script) => _watches.Enqueue((false, script));

    /// <summary>Answers the next watch request with a non-2xx status (its response is not started for the script).</summary>
    public void OnWatchFailure(int code, string statusJson) => _watches.Enqueue((true, Fail(code, statusJson)));

    public static Func<HttpContext, Task> Fail(int code, string statusJson) => ctx =>
    {
        ctx.Response.StatusCode = code;
        ctx.Response.ContentType = "application/json";
        return ctx.Response.WriteAsync(statusJson);
    };

    public static string StatusJson(int code, string reason, string message, string? causeReason = null)
    {
        var status = new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["status"] = "Failure", ["message"] = message, ["reason"] = reason, ["code"] = code };
        if (causeReason is not null)
        {
            status["details"] = new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["reason"] = causeReason, ["message"] = message }) };
        }

        return status.ToJsonString();
    }

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
            var scripted = _watches.TryDequeue(out var watch);
            if (scripted && watch.Raw)
            {
                await watch.Script(ctx);
                return;
            }

            ctx.Response.ContentType = "application/json";
            await ctx.Response.StartAsync();
            await ctx.Response.Body.FlushAsync();
            await (scripted ? watch.Script(ctx) : HoldAsync(ctx));
            return;
        }

        ListVersions.Enqueue(ctx.Request.Query["resourceVersion"]);

        if (_lists.TryDequeue(out var list))
        {
            await list(ctx);
            return;
        }

        ctx.Response.StatusCode = 500;
    }
}
