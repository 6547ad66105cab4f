namespace DataMover.Kube.Config;

/// <summary>Settings for a process running in a pod: the service-account token (re-read as it rotates), CA and namespace.</summary>
public static class InClusterConfig
{
    public const string DefaultServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>Settings from the pod's environment and service-account mount; throws <see cref="KubeConfigException"/> outside a pod.</summary>
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
        var hostPart = host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;
        return new KubeClientSettings
        {
            Server = new Uri($"https://{hostPart}:{port}"),
            Token = TokenSource.FromFile(tokenFile),
            CertificateAuthorities = File.Exists(caFile) ? KubeConfigLoader.LoadCas(File.ReadAllBytes(caFile)) : null,
            Namespace = Namespace(nsFile),
        };
    }

    /// <summary>POD_NAMESPACE (set through the downward API) wins over the mounted namespace file, as in kubectl.</summary>
    private static string Namespace(string nsFile)
    {
        if (Environment.GetEnvironmentVariable("POD_NAMESPACE") is { Length: > 0 } fromEnv)
        {
            return fromEnv;
        }

        return File.Exists(nsFile) && File.ReadAllText(nsFile).Trim() is { Length: > 0 } fromFile ? fromFile : "default";
    }
}
