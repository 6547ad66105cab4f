namespace DataMover.Kube.Config;

/// <summary>Settings for a process running in a pod: the service-account token (re-read as it rotates), CA and namespace.</summary>
public static class InClusterConfig
{
    public const string DefaultServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

    public static KubeClientSettings Load(string serviceAccountDir = DefaultServiceAccountDir)
    {
        var host = Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST");
        var port = Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_PORT");
        if (string.IsNullOrEmpty(host) || string.IsNullOrEmpty(port))
        {
            throw new KubeConfigException("not in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set");
        }

        var tokenFile = Path.Combine(serviceAccountDir, "token");
        if (!File.Exists(tokenFile))
        {
            throw new KubeConfigException($"not in a cluster: {tokenFile} does not exist");
        }

        var caFile = Path.Combine(serviceAccountDir, "ca.crt");
        var nsFile = Path.Combine(serviceAccountDir, "namespace");
        // IPv6 service hosts need brackets in a URL.
        var hostPart = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;
        return new KubeClientSettings
        {
            Server = new Uri($"https://{hostPart}:{port}"),
            Token = TokenSource.FromFile(tokenFile),
            CertificateAuthorities = File.Exists(caFile) ? KubeConfigLoader.LoadCas(File.ReadAllBytes(caFile)) : null,
            Namespace = File.Exists(nsFile) ? File.ReadAllText(nsFile).Trim() : "default",
        };
    }
}
