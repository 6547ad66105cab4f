using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace DataMover.Operator.Hosting;

/// <summary>A small Kestrel server for fixed GET routes (metrics on one port, probes on another).</summary>
internal sealed class HttpEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HttpEndpoint(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>The bound base URL (the real port when 0 was asked for).</summary>
    public Uri Url { get; }

    /// <summary>Starts the server; with <paramref name="certificate"/> it speaks HTTPS only.</summary>
    public static async Task<HttpEndpoint> StartAsync(IPEndPoint endpoint, IReadOnlyDictionary<string, Func<HttpContext, Task>> routes, CancellationToken cancellationToken, X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // The default console lifetime would swallow SIGTERM/SIGINT for this embedded server; the process's own
        // command line owns the signals and stops the operator (and this server) in order.
        builder.Services.AddSingleton<IHostLifetime, PassiveLifetime>();
        builder.WebHost.UseKestrel(o => o.Listen(endpoint, listen =>
        {
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }));
        var app = builder.Build();
        foreach (var (path, handler) in routes)
        {
            // A RequestDelegate, not a Delegate: the overload that needs no reflection (Native AOT).
            app.MapGet(path, new RequestDelegate(handler));
        }

        await app.StartAsync(cancellationToken);
        var bound = app.Urls.First();
        var uri = new Uri(bound.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "[::1]", StringComparison.Ordinal));
        return new HttpEndpoint(app, uri);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }

    /// <summary>A host lifetime that neither waits for nor handles process signals.</summary>
    private sealed class PassiveLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
