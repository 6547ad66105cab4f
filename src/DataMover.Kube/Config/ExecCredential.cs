using System.Security.Cryptography.X509Certificates;

namespace DataMover.Kube.Config;

/// <summary>What an exec plugin returned: a bearer token or a client certificate, and until when it is good.</summary>
internal sealed record ExecCredential(string? Token, X509Certificate2? ClientCertificate, DateTimeOffset? ExpiresAt);
