namespace DataMover.Sandbox.Tests.Auth;

/// <summary>A ServiceAccount with a token from `kubectl create token`, and a kubectl and HTTP client that use it.</summary>
public sealed class ServiceAccountUser : IDisposable
{
    private ServiceAccountUser(string ns, string name, string token, Kubectl kubectl, ApiClient api)
    {
        Namespace = ns;
        Name = name;
        Token = token;
        Kubectl = kubectl;
        Api = api;
    }

    public string Namespace { get; }

    public string Name { get; }

    public string Token { get; }

    public string UserName => $"system:serviceaccount:{Namespace}:{Name}";

    public Kubectl Kubectl { get; }

    public ApiClient Api { get; }

    /// <summary>Creates the namespace (if needed) and the ServiceAccount as the admin, then a token with the real kubectl.</summary>
    public static async Task<ServiceAccountUser> CreateAsync(SandboxFixture fx, string ns, string name = "sa")
    {
        await fx.Kubectl.RunAsync("create", "namespace", ns);
        await fx.Kubectl.OkAsync("create", "serviceaccount", name, "-n", ns);
        var token = (await fx.Kubectl.OkAsync("create", "token", name, "-n", ns)).Trim();
        var dir = Path.Combine(fx.Cluster.DataDir, "sa-" + ns + "-" + name);
        Directory.CreateDirectory(dir);
        var kubeconfig = Path.Combine(dir, "kubeconfig");
        fx.Cluster.WriteKubeconfig(kubeconfig, token);
        return new ServiceAccountUser(ns, name, token, new Kubectl(kubeconfig, Path.Combine(dir, "home")), new ApiClient(fx.Cluster.Context.CreateHttpClient(token)));
    }

    public void Dispose() => Api.Dispose();
}
