using DataMover.Kube.Config;
using DataMover.Kube.Tests.Support;

namespace DataMover.Kube.Tests;

[Collection(EnvironmentCollection.Name)]
public sealed class InClusterConfigTests : IDisposable
{
    private static readonly string[] Variables = ["KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT", "POD_NAMESPACE"];
    private readonly Dictionary<string, string?> _saved = Variables.ToDictionary(v => v, Environment.GetEnvironmentVariable);
    private readonly TempDir _serviceAccount = new();

    public InClusterConfigTests()
    {
        foreach (var v in Variables)
        {
            Environment.SetEnvironmentVariable(v, null);
        }
    }

    public void Dispose()
    {
        foreach (var (name, value) in _saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        _serviceAccount.Dispose();
    }

    [Fact]
    public void Reads_host_port_token_ca_and_namespace_of_the_pod()
    {
        Environment.SetEnvironmentVariable("KUBERNETES_SERVICE_HOST", "10.96.0.1");
        Environment.SetEnvironmentVariable("KUBERNETES_SERVICE_PORT", "443");
        _serviceAccount.Write("token", "sa-token\n");
        _serviceAccount.Write("ca.crt", TestPki.CreateCa("in-cluster-ca").ExportCertificatePem());
        _serviceAccount.Write("namespace", "datamover-system");

        Assert.True(KubeConfigLoader.IsInCluster(_serviceAccount.Path));
        var settings = InClusterConfig.Load(_serviceAccount.Path);

        Assert.Equal(new Uri("https://10.96.0.1:443"), settings.Server);
        Assert.Equal("sa-token", settings.Token!.GetToken());
        Assert.Single(settings.CertificateAuthorities!);
        Assert.Equal("datamover-system", settings.Namespace);
    }

    [Fact]
    public void Brackets_an_IPv6_service_host_and_prefers_POD_NAMESPACE()
    {
        Environment.SetEnvironmentVariable("KUBERNETES_SERVICE_HOST", "fd00:10:96::1");
        Environment.SetEnvironmentVariable("KUBERNETES_SERVICE_PORT", "6443");
        Environment.SetEnvironmentVariable("POD_NAMESPACE", "from-downward-api");
        _serviceAccount.Write("token", "t");
        _serviceAccount.Write("namespace", "from-file");

        var settings = InClusterConfig.Load(_serviceAccount.Path);

        Assert.Equal("https://[fd00:10:96::1]:6443/", settings.Server.ToString());
        Assert.Equal("fd00:10:96::1", settings.Server.IdnHost.Trim('[', ']'));
        Assert.Equal("from-downward-api", settings.Namespace);
    }

    [Fact]
    public void Outside_a_pod_it_says_so()
    {
        Assert.False(KubeConfigLoader.IsInCluster(_serviceAccount.Path));
        Assert.Throws<KubeConfigException>(() => InClusterConfig.Load(_serviceAccount.Path));
    }

    [Fact]
    public void Re_reads_the_projected_token_when_the_kubelet_rotates_it()
    {
        Environment.SetEnvironmentVariable("KUBERNETES_SERVICE_HOST", "10.96.0.1");
        Environment.SetEnvironmentVariable("KUBERNETES_SERVICE_PORT", "443");
        var token = _serviceAccount.Write("token", "one");
        var settings = InClusterConfig.Load(_serviceAccount.Path);
        Assert.Equal("one", settings.Token!.GetToken());

        File.WriteAllText(token, "two");
        File.SetLastWriteTimeUtc(token, DateTime.UtcNow.AddSeconds(10));

        Assert.Equal("two", settings.Token.GetToken());
    }
}
