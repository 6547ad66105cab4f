using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace DataMover.Kube.Client;

/// <summary>Validates the server certificate against the kubeconfig's CA only, as client-go does.</summary>
internal static class ServerCertificateValidator
{
    public static bool Validate(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection authorities)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }
}
