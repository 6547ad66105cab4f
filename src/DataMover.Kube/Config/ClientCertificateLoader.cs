using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace DataMover.Kube.Config;

/// <summary>Builds a TLS client certificate from the PEM pair a kubeconfig carries.</summary>
internal static class ClientCertificateLoader
{
    /// <summary>
    /// Accepts RSA and EC keys as PKCS#1 (<c>RSA PRIVATE KEY</c>), SEC1 (<c>EC PRIVATE KEY</c>) or PKCS#8 (<c>PRIVATE KEY</c>).
    /// </summary>
    public static X509Certificate2 FromPem(byte[] certificatePem, byte[] keyPem)
    {
        X509Certificate2 ephemeral;
        try
        {
            ephemeral = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(certificatePem), Encoding.ASCII.GetString(keyPem));
        }
        catch (CryptographicException e)
        {
            throw new KubeConfigException("the client certificate or key is not valid PEM (or the key does not match the certificate)", e);
        }

        // CreateFromPem attaches an ephemeral key that SslStream cannot always hand to the TLS stack
        // (it must be exportable/persisted on some platforms), so round-trip through PKCS#12.
        using (ephemeral)
        {
            var pfx = ephemeral.Export(X509ContentType.Pkcs12);
            return X509CertificateLoader.LoadPkcs12(pfx, null, X509KeyStorageFlags.Exportable);
        }
    }
}
