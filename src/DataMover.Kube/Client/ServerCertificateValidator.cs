using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace DataMover.Kube.Client;

/// <summary>
/// Validates the server certificate as client-go does: against the kubeconfig's CAs only when they are given
/// (a certificate from any other CA, even a publicly trusted one, is rejected), and against the tls-server-name
/// instead of the URL's host when that is set.
/// </summary>
internal static class ServerCertificateValidator
{
    public static bool Validate(
        X509Certificate? certificate,
        X509Chain? presentedChain,
        SslPolicyErrors errors,
        X509Certificate2Collection? authorities,
        string? serverName)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        using var owned = certificate is X509Certificate2 ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        var leaf = owned ?? (X509Certificate2)certificate;

        // SocketsHttpHandler checks the name against the request's host; with tls-server-name the name that
        // counts is that one, so the host mismatch it reports is replaced by our own check.
        var nameMatches = serverName is null
            ? !errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch)
            : leaf.MatchesHostname(serverName, allowWildcards: true, allowCommonName: false);
        if (!nameMatches)
        {
            return false;
        }

        if (authorities is not { Count: > 0 })
        {
            return !errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors);
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        if (presentedChain is not null)
        {
            // Intermediates the server sent along with its certificate.
            foreach (var element in presentedChain.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(leaf);
    }
}
