using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DataMover.Kube.Tests.Support;

/// <summary>A real Kestrel server on loopback whose routes a test scripts with minimal APIs.</summary>
internal sealed class ScriptedServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ScriptedServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>Plain HTTP on 127.0.0.1 (port 0 unless given).</summary>
    public static Task<ScriptedServer> StartAsync(Action<WebApplication> map, int port = 0) =>
        StartCoreAsync(map, builder => builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port)), "http");

    /// <summary>HTTPS on 127.0.0.1 with the given server certificate, optionally requiring a client certificate from <paramref name="clientCa"/>.</summary>
    public static Task<ScriptedServer> StartHttpsAsync(Action<WebApplication> map, X509Certificate2 serverCertificate, X509Certificate2? clientCa = null) =>
        StartCoreAsync(
            map,
            builder => builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(https =>
            {
                https.ServerCertificate = serverCertificate;
                if (clientCa is not null)
                {
                    https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                    https.ClientCertificateValidation = (certificate, _, _) => TestPki.ChainsTo(certificate, clientCa);
                }
            }))),
            "https");

    private static async Task<ScriptedServer> StartCoreAsync(Action<WebApplication> map, Action<WebApplicationBuilder> configure, string scheme)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        configure(builder);
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        return new ScriptedServer(app, new Uri($"{scheme}://127.0.0.1:{port}"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
