using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Security.Cryptography.X509Certificates;

namespace DataMover.Sandbox.Hosting;

/// <summary>What a hosted component gets: where the API server is, how to authenticate, where data lives.</summary>
public sealed class SandboxContext
{
    private readonly CertificateAuthority? _ca;
    private IPodLogSource _podLogs = new EmptyPodLogSource();

    internal SandboxContext(Uri url, string kubeconfigPath, string token, string nodeToken, string dataDir, bool noNode, ILoggerFactory loggerFactory, FaultInjector faults, CertificateAuthority? ca)
    {
        Url = url;
        KubeconfigPath = kubeconfigPath;
        Token = token;
        NodeToken = nodeToken;
        DataDir = dataDir;
        NoNode = noNode;
        LoggerFactory = loggerFactory;
        Faults = faults;
        _ca = ca;
    }

    public Uri Url { get; }

    public string KubeconfigPath { get; }

    /// <summary>The admin bearer token written to the kubeconfig.</summary>
    public string Token { get; }

    /// <summary>A second accepted token, for the node agent's own identity in logs and tests.</summary>
    public string NodeToken { get; }

    public string DataDir { get; }

    /// <summary>True when started with --no-node: node components should not start.</summary>
    public bool NoNode { get; }

    public ILoggerFactory LoggerFactory { get; }

    public FaultInjector Faults { get; }

    /// <summary>The generated CA certificate (null when serving plain HTTP).</summary>
    public X509Certificate2? CaCertificate => _ca?.Certificate;

    /// <summary>The source of pods/log content; the kubelet replaces the empty default.</summary>
    public IPodLogSource PodLogs => _podLogs;

    public void SetPodLogSource(IPodLogSource source) => _podLogs = source ?? throw new ArgumentNullException(nameof(source));

    /// <summary>An HTTP handler that trusts exactly the sandbox CA.</summary>
    public HttpMessageHandler CreateHttpHandler()
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (_ca is { } ca)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && ca.Validate(cert as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(cert.GetRawCertData()));
        }

        return handler;
    }

    /// <summary>An HttpClient with the base address and the given bearer token (e.g. a ServiceAccount token).</summary>
    public HttpClient CreateHttpClient(string token)
    {
        var client = new HttpClient(CreateHttpHandler(), disposeHandler: true) { BaseAddress = Url, Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Writes a kubeconfig for this cluster (same server and CA) authenticating with <paramref name="token"/>.</summary>
    public void WriteKubeconfig(string path, string token) =>
        KubeconfigWriter.Write(path, Url, token, _ca?.CertificatePem);

    /// <summary>
    /// A ServiceAccount token from the TokenRequest API (what `kubectl create token` calls), requested as the admin;
    /// <paramref name="lifetime"/> defaults to the server's one hour and must be at least ten minutes.
    /// </summary>
    public async Task<string> CreateServiceAccountTokenAsync(string ns, string serviceAccount, TimeSpan? lifetime = null, CancellationToken cancellationToken = default)
    {
        using var client = CreateHttpClient();
        var spec = new JsonObject();
        if (lifetime is { } l)
        {
            spec["expirationSeconds"] = (long)l.TotalSeconds;
        }

        var body = new JsonObject { ["apiVersion"] = "authentication.k8s.io/v1", ["kind"] = "TokenRequest", ["spec"] = spec };
        using var content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        var path = string.Create(CultureInfo.InvariantCulture, $"api/v1/namespaces/{Uri.EscapeDataString(ns)}/serviceaccounts/{Uri.EscapeDataString(serviceAccount)}/token");
        using var response = await client.PostAsync(path, content, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"TokenRequest for {ns}/{serviceAccount} failed ({(int)response.StatusCode}): {text}", null, response.StatusCode);
        }

        return JsonNode.Parse(text)?["status"]?["token"]?.GetValue<string>() ?? throw new HttpRequestException("TokenRequest answered without status.token");
    }

    /// <summary>An HttpClient with the base address and bearer token set (admin, or node identity).</summary>
    public HttpClient CreateHttpClient(bool asNode = false)
    {
        var client = new HttpClient(CreateHttpHandler(), disposeHandler: true) { BaseAddress = Url, Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", asNode ? NodeToken : Token);
        return client;
    }
}
