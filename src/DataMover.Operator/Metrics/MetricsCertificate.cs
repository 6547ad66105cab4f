using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DataMover.Operator.Metrics;

/// <summary>The certificate of the HTTPS metrics endpoint: tls.crt and tls.key from a directory, or a self-signed one.</summary>
internal static class MetricsCertificate
{
    public static X509Certificate2 Load(string? directory) =>
        directory is null ? SelfSigned() : X509Certificate2.CreateFromPemFile(Path.Combine(directory, "tls.crt"), Path.Combine(directory, "tls.key"));

    /// <summary>As controller-runtime does without a certificate directory: scrapers then skip verification (insecureSkipVerify).</summary>
    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=datamover-operator-metrics", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddDnsName("datamover-operator-metrics");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(1));

        // Kestrel needs the key in a form the platform's TLS can use: round-trip through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
