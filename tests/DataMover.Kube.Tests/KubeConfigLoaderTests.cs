using DataMover.Kube.Config;
using DataMover.Kube.Tests.Support;

namespace DataMover.Kube.Tests;

[Collection(EnvironmentCollection.Name)]
public sealed class KubeConfigLoaderTests : IDisposable
{
    private static readonly Lazy<System.Security.Cryptography.X509Certificates.X509Certificate2> Ca = new(() => TestPki.CreateCa("kubeconfig-test-ca"));
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Loads_token_user_ca_data_and_namespace_of_the_current_context()
    {
        var caPem = Ca.Value.ExportCertificatePem();
        var path = _dir.Write("config", $$"""
            apiVersion: v1
            kind: Config
            preferences: {}
            current-context: dev
            clusters:
            - name: dev-cluster
              cluster:
                server: https://10.0.0.1:6443
                certificate-authority-data: {{TestPki.Base64(caPem)}}
            - name: prod-cluster
              cluster:
                server: https://prod.example.com
                insecure-skip-tls-verify: true
                tls-server-name: kubernetes.default.svc
            users:
            - name: dev-user
              user:
                token: dev-token
            - name: prod-user
              user:
                username: admin
                password: s3cret
            contexts:
            - name: dev
              context:
                cluster: dev-cluster
                user: dev-user
                namespace: movers
            - name: prod
              context:
                cluster: prod-cluster
                user: prod-user
            """);

        var dev = KubeConfigLoader.Load(path);
        Assert.Equal(new Uri("https://10.0.0.1:6443"), dev.Server);
        Assert.Equal("movers", dev.Namespace);
        Assert.Equal("dev-token", dev.Token!.GetToken());
        Assert.Single(dev.CertificateAuthorities!);
        Assert.Equal(Ca.Value.Thumbprint, dev.CertificateAuthorities![0].Thumbprint);
        Assert.False(dev.InsecureSkipTlsVerify);

        var prod = KubeConfigLoader.Load(path, "prod");
        Assert.Equal("default", prod.Namespace);
        Assert.True(prod.InsecureSkipTlsVerify);
        Assert.Equal("kubernetes.default.svc", prod.TlsServerName);
        Assert.Null(prod.Token);
        Assert.Equal("admin", prod.Username);
        Assert.Equal("s3cret", prod.Password);
    }

    [Theory]
    [InlineData(KeyShape.RsaPkcs1, "RSA PRIVATE KEY")]
    [InlineData(KeyShape.RsaPkcs8, "PRIVATE KEY")]
    [InlineData(KeyShape.EcSec1, "EC PRIVATE KEY")]
    [InlineData(KeyShape.EcPkcs8, "PRIVATE KEY")]
    public void Loads_client_certificates_as_data_with_every_key_shape(KeyShape shape, string pemLabel)
    {
        var (certPem, keyPem) = TestPki.IssueClient(Ca.Value, "alice", shape);
        Assert.StartsWith($"-----BEGIN {pemLabel}-----", keyPem, StringComparison.Ordinal);
        var path = _dir.Write("config", $$"""
            current-context: c
            clusters:
            - name: k
              cluster:
                server: https://127.0.0.1:6443
            contexts:
            - name: c
              context:
                cluster: k
                user: u
            users:
            - name: u
              user:
                client-certificate-data: {{TestPki.Base64(certPem)}}
                client-key-data: {{TestPki.Base64(keyPem)}}
            """);

        var settings = KubeConfigLoader.Load(path);

        Assert.NotNull(settings.ClientCertificate);
        Assert.True(settings.ClientCertificate!.HasPrivateKey);
        Assert.Contains("CN=alice", settings.ClientCertificate.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolves_relative_certificate_key_ca_and_token_files_against_the_kubeconfig_folder()
    {
        var (certPem, keyPem) = TestPki.IssueClient(Ca.Value, "bob", KeyShape.EcSec1);
        _dir.Write("kube/pki/client.crt", certPem);
        _dir.Write("kube/pki/client.key", keyPem);
        _dir.Write("kube/pki/ca.crt", Ca.Value.ExportCertificatePem());
        _dir.Write("kube/token", "file-token\n");
        var path = _dir.Write("kube/config", """
            current-context: c
            clusters:
            - name: k
              cluster:
                server: https://127.0.0.1:6443
                certificate-authority: pki/ca.crt
            contexts:
            - name: c
              context: {cluster: k, user: u}
            users:
            - name: u
              user:
                client-certificate: pki/client.crt
                client-key: pki/client.key
                token: inline-token
                tokenFile: token
            """);

        var settings = KubeConfigLoader.Load(path);

        Assert.Contains("CN=bob", settings.ClientCertificate!.Subject, StringComparison.Ordinal);
        Assert.Equal(Ca.Value.Thumbprint, settings.CertificateAuthorities![0].Thumbprint);
        // client-go: the token file wins over the inline token.
        Assert.Equal("file-token", settings.Token!.GetToken());
    }

    [Fact]
    public void Merges_the_files_named_by_KUBECONFIG_first_file_wins()
    {
        var first = _dir.Write("a/config", """
            current-context: from-a
            clusters:
            - name: shared
              cluster: {server: "https://a.example:6443"}
            users:
            - name: shared-user
              user: {token: token-a}
            contexts:
            - name: from-a
              context: {cluster: shared, user: shared-user, namespace: ns-a}
            """);
        var second = _dir.Write("b/config", """
            current-context: from-b
            clusters:
            - name: shared
              cluster: {server: "https://b.example:6443"}
            - name: only-b
              cluster: {server: "https://only-b.example:6443"}
            users:
            - name: shared-user
              user: {token: token-b}
            contexts:
            - name: from-a
              context: {cluster: only-b, user: shared-user, namespace: ns-b}
            - name: from-b
              context: {cluster: only-b, user: shared-user}
            """);
        var missing = Path.Combine(_dir.Path, "missing", "config");
        var saved = Environment.GetEnvironmentVariable("KUBECONFIG");
        try
        {
            Environment.SetEnvironmentVariable("KUBECONFIG", string.Join(Path.PathSeparator, first, missing, second));

            var current = KubeConfigLoader.Load();
            Assert.Equal(new Uri("https://a.example:6443"), current.Server);
            Assert.Equal("ns-a", current.Namespace);
            Assert.Equal("token-a", current.Token!.GetToken());

            var fromB = KubeConfigLoader.Load(context: "from-b");
            Assert.Equal(new Uri("https://only-b.example:6443"), fromB.Server);
            Assert.Equal("token-a", fromB.Token!.GetToken());
        }
        finally
        {
            Environment.SetEnvironmentVariable("KUBECONFIG", saved);
        }
    }

    [Fact]
    public void Unknown_context_and_auth_provider_only_users_fail_with_a_clear_error()
    {
        var path = _dir.Write("config", """
            current-context: c
            clusters: [{name: k, cluster: {server: "https://127.0.0.1:6443"}}]
            contexts: [{name: c, context: {cluster: k, user: u}}]
            users:
            - name: u
              user:
                auth-provider:
                  name: gcp
            """);

        Assert.Contains("nope", Assert.Throws<KubeConfigException>(() => KubeConfigLoader.Load(path, "nope")).Message, StringComparison.Ordinal);
        Assert.Contains("auth-provider", Assert.Throws<KubeConfigException>(() => KubeConfigLoader.Load(path)).Message, StringComparison.Ordinal);
    }
}
