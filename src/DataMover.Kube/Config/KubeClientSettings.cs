using System.Security.Cryptography.X509Certificates;

using DataMover.Kube.Client;

namespace DataMover.Kube.Config;

/// <summary>How to reach and authenticate to one API server: the result of loading a kubeconfig or in-cluster config.</summary>
public sealed record KubeClientSettings
{
    public required Uri Server { get; init; }

    /// <summary>The namespace of the context (or the pod's namespace in-cluster); "default" when unset.</summary>
    public string Namespace { get; init; } = "default";

    /// <summary>When set, only these CAs are trusted for the server certificate.</summary>
    public X509Certificate2Collection? CertificateAuthorities { get; init; }

    public bool InsecureSkipTlsVerify { get; init; }

    /// <summary>The name checked against the server certificate instead of the URL's host.</summary>
    public string? TlsServerName { get; init; }

    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>A client certificate looked up at each TLS handshake (an exec plugin's); used when <see cref="ClientCertificate"/> is null.</summary>
    public Func<X509Certificate2?>? ClientCertificateProvider { get; init; }

    public TokenSource? Token { get; init; }

    public string? Username { get; init; }

    public string? Password { get; init; }

    /// <summary>Timeout of one non-watch request.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts for retryable failures (429 on any verb; 5xx and connection errors on idempotent verbs).</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>Sent as User-Agent; shows up in audit logs.</summary>
    public string UserAgent { get; init; } = "datamover/0.1.0";

    /// <summary>Counts requests by code, method and host; none when null.</summary>
    public IRestClientMetrics? Metrics { get; init; }
}
