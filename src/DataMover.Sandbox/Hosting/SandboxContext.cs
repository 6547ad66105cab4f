using System.Net.Http.Headers;
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

    /// <summary>An HttpClient with the base address and bearer token set (admin, or node identity).</summary>
    public HttpClient CreateHttpClient(bool asNode = false)
    {
        var client = new HttpClient(CreateHttpHandler(), disposeHandler: true) { BaseAddress = Url, Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", asNode ? NodeToken : Token);
        return client;
    }
}
