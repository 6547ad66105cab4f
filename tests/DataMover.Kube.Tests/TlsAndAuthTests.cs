using System.Security.Cryptography.X509Certificates;
using DataMover.Kube.Client;
using DataMover.Kube.Config;
using DataMover.Kube.Models;
using DataMover.Kube.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace DataMover.Kube.Tests;

/// <summary>Real TLS on loopback: Kestrel with a CA made here, the client configured through a kubeconfig.</summary>
public sealed class TlsAndAuthTests : IDisposable
{
    private static readonly Lazy<X509Certificate2> ServerCa = new(() => TestPki.CreateCa("cluster-ca"));
    private static readonly Lazy<X509Certificate2> ClientCa = new(() => TestPki.CreateCa("client-ca"));
    private static readonly Lazy<X509Certificate2> OtherCa = new(() => TestPki.CreateCa("someone-elses-ca"));
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(KeyShape.RsaPkcs1)]
    [InlineData(KeyShape.RsaPkcs8)]
    [InlineData(KeyShape.EcSec1)]
    [InlineData(KeyShape.EcPkcs8)]
    public async Task Client_certificate_authenticates_with_every_key_shape(KeyShape shape)
    {
        await using var server = await ScriptedServer.StartHttpsAsync(MapWhoAmI, TestPki.IssueServer(ServerCa.Value, ["localhost"]), ClientCa.Value);
        var (certPem, keyPem) = TestPki.IssueClient(ClientCa.Value, $"user-{shape}", shape);
        var settings = LoadKubeconfig(server.BaseAddress, $"""
                certificate-authority-data: {TestPki.Base64(ServerCa.Value.ExportCertificatePem())}
            """, $"""
                client-certificate-data: {TestPki.Base64(certPem)}
                client-key-data: {TestPki.Base64(keyPem)}
            """);
        using var client = new KubeClient(settings with { MaxAttempts = 1 });

        var ns = await client.Resource(KubeResources.Namespaces).GetAsync(null, "whoami");

        Assert.Equal($"CN=user-{shape}, O=system:masters", ns.Metadata.Labels!["subject"]);
    }

    [Fact]
    public async Task A_server_certificate_from_another_CA_is_rejected_even_if_the_name_matches()
    {
        await using var server = await ScriptedServer.StartHttpsAsync(MapWhoAmI, TestPki.IssueServer(OtherCa.Value, ["localhost"]));
        var settings = LoadKubeconfig(server.BaseAddress, $"""
                certificate-authority-data: {TestPki.Base64(ServerCa.Value.ExportCertificatePem())}
            """, "    token: t");
        using var client = new KubeClient(settings with { MaxAttempts = 1 });

        await Assert.ThrowsAsync<HttpRequestException>(() => client.Resource(KubeResources.Namespaces).GetAsync(null, "whoami"));
    }

    [Fact]
    public async Task Insecure_skip_tls_verify_accepts_any_certificate_only_when_asked()
    {
        await using var server = await ScriptedServer.StartHttpsAsync(MapWhoAmI, TestPki.IssueServer(OtherCa.Value, ["localhost"]));
        var insecure = LoadKubeconfig(server.BaseAddress, "    insecure-skip-tls-verify: true", "    token: t");
        using (var client = new KubeClient(insecure with { MaxAttempts = 1 }))
        {
            Assert.NotNull(await client.Resource(KubeResources.Namespaces).GetAsync(null, "whoami"));
        }

        // Without the flag and without a CA the system trust store decides, and it does not know this CA.
        var strict = LoadKubeconfig(server.BaseAddress, "    insecure-skip-tls-verify: false", "    token: t");
        using var strictClient = new KubeClient(strict with { MaxAttempts = 1 });
        await Assert.ThrowsAsync<HttpRequestException>(() => strictClient.Resource(KubeResources.Namespaces).GetAsync(null, "whoami"));
    }

    [Fact]
    public async Task Tls_server_name_is_the_name_checked_against_the_certificate()
    {
        // The certificate names only the in-cluster service name, not 127.0.0.1.
        await using var server = await ScriptedServer.StartHttpsAsync(MapWhoAmI, TestPki.IssueServer(ServerCa.Value, ["kubernetes.default.svc"], includeLoopbackIp: false));
        var ca = $"    certificate-authority-data: {TestPki.Base64(ServerCa.Value.ExportCertificatePem())}";

        using (var client = new KubeClient(LoadKubeconfig(server.BaseAddress, ca + "\n    tls-server-name: kubernetes.default.svc", "    token: t") with { MaxAttempts = 1 }))
        {
            Assert.NotNull(await client.Resource(KubeResources.Namespaces).GetAsync(null, "whoami"));
        }

        using (var client = new KubeClient(LoadKubeconfig(server.BaseAddress, ca, "    token: t") with { MaxAttempts = 1 }))
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => client.Resource(KubeResources.Namespaces).GetAsync(null, "whoami"));
        }

        using (var client = new KubeClient(LoadKubeconfig(server.BaseAddress, ca + "\n    tls-server-name: other.example", "    token: t") with { MaxAttempts = 1 }))
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => client.Resource(KubeResources.Namespaces).GetAsync(null, "whoami"));
        }
    }

    [Fact]
    public async Task Sends_bearer_token_or_basic_auth()
    {
        await using var server = await ScriptedServer.StartAsync(MapWhoAmI);

        using (var client = new KubeClient(LoadKubeconfig(server.BaseAddress, "", "    token: abc.def")))
        {
            var ns = await client.Resource(KubeResources.Namespaces).GetAsync(null, "whoami");
            Assert.Equal("Bearer abc.def", ns.Metadata.Annotations!["authorization"]);
        }

        using (var client = new KubeClient(LoadKubeconfig(server.BaseAddress, "", "    username: admin\n    password: pa:ss")))
        {
            var ns = await client.Resource(KubeResources.Namespaces).GetAsync(null, "whoami");
            Assert.Equal("Basic " + Convert.ToBase64String("admin:pa:ss"u8.ToArray()), ns.Metadata.Annotations!["authorization"]);
        }
    }

    [Fact]
    public async Task A_rotated_token_file_is_sent_from_the_next_request_on()
    {
        await using var server = await ScriptedServer.StartAsync(MapWhoAmI);
        var tokenFile = _dir.Write("token", "first");
        using var client = new KubeClient(new KubeClientSettings { Server = server.BaseAddress, Token = TokenSource.FromFile(tokenFile) });
        var namespaces = client.Resource(KubeResources.Namespaces);

        Assert.Equal("Bearer first", (await namespaces.GetAsync(null, "whoami")).Metadata.Annotations!["authorization"]);
        File.WriteAllText(tokenFile, "second\n");
        File.SetLastWriteTimeUtc(tokenFile, DateTime.UtcNow.AddSeconds(5));
        Assert.Equal("Bearer second", (await namespaces.GetAsync(null, "whoami")).Metadata.Annotations!["authorization"]);
    }

    [Fact]
    public void A_token_file_whose_timestamp_does_not_move_is_still_re_read_every_minute()
    {
        var tokenFile = _dir.Write("token", "first");
        var stamp = File.GetLastWriteTimeUtc(tokenFile);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var source = TokenSource.FromFile(tokenFile, time);
        Assert.Equal("first", source.GetToken());

        // The kubelet swaps a symlink; the path's timestamp can stay put.
        File.WriteAllText(tokenFile, "second");
        File.SetLastWriteTimeUtc(tokenFile, stamp);
        Assert.Equal("first", source.GetToken());

        time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal("second", source.GetToken());
    }

    /// <summary>Answers GET /api/v1/namespaces/whoami with the caller's certificate subject and Authorization header.</summary>
    private static void MapWhoAmI(WebApplication app) =>
        app.MapGet("/api/v1/namespaces/{name}", (HttpContext context, string name) =>
        {
            var labels = new Dictionary<string, string>();
            if (context.Connection.ClientCertificate is { } cert)
            {
                labels["subject"] = cert.Subject;
            }

            var annotations = new Dictionary<string, string>();
            if (context.Request.Headers.Authorization.ToString() is { Length: > 0 } auth)
            {
                annotations["authorization"] = auth;
            }

            return Results.Text(
                System.Text.Json.JsonSerializer.Serialize(
                    new Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = new ObjectMeta { Name = name, Labels = labels, Annotations = annotations } },
                    Json.KubeJsonContext.Default.Namespace),
                "application/json");
        });

    private KubeClientSettings LoadKubeconfig(Uri server, string clusterExtra, string userLines)
    {
        var path = _dir.Write($"config-{Guid.NewGuid():N}", $"""
            current-context: test
            clusters:
            - name: test
              cluster:
                server: {server}
            {clusterExtra}
            users:
            - name: test
              user:
            {userLines}
            contexts:
            - name: test
              context: {"{"} cluster: test, user: test {"}"}
            """);
        return KubeConfigLoader.Load(path);
    }
}
