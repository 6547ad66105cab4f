using System.Net.Http.Headers;
using System.Text;
using DataMover.Kube.Client;
using DataMover.Kube.Config;
using DataMover.Kube.Models;
using DataMover.Sandbox.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataMover.Operator.Tests.Sandbox;

/// <summary>
/// One sandbox API server (no node components) for the whole collection, with the DataMover CRD applied from
/// deploy/ and two storage classes. Tests play provisioner and job controller themselves, so each step is exact.
/// </summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    public const string CsiClass = "fake-csi";
    public const string InTreeClass = "fake-intree";

    private int _namespaces;

    public SandboxCluster Cluster { get; private set; } = null!;

    public KubeClient Client { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    /// <summary>The operator's own identity: its ServiceAccount's token, bound by deploy/rbac (tests use the admin).</summary>
    public string OperatorKubeconfigPath { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Cluster = await SandboxCluster.StartAsync(new SandboxOptions { NoNode = true, LoggerFactory = NullLoggerFactory.Instance });
        Client = new KubeClient(KubeConfigLoader.Load(Cluster.KubeconfigPath));
        Http = Cluster.CreateHttpClient();
        // The CRDs, as deploy/ installs them: the operator's schedule and restore informers count for its readiness too.
        foreach (var crd in new[] { "deploy/crds/datamovers.yaml", "deploy/crds/datamoverschedules.yaml", "deploy/crds/datamoverrestores.yaml" })
        {
            var (status, body) = await ApplyYamlAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", await File.ReadAllTextAsync(RepoFile(crd)));
            if (status >= 300)
            {
                throw new InvalidOperationException($"CRD {crd} not accepted ({status}): {body}");
            }
        }

        var classes = Client.Resource(KubeResources.StorageClasses);
        await classes.CreateAsync(new StorageClass { Metadata = new ObjectMeta { Name = CsiClass }, Provisioner = "fake.csi.datamover.local" });
        await classes.CreateAsync(new StorageClass { Metadata = new ObjectMeta { Name = InTreeClass }, Provisioner = "kubernetes.io/aws-ebs" });
        await WaitForCrdAsync();
        OperatorKubeconfigPath = await Support.OperatorIdentity.InstallAsync(Cluster);
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        Client.Dispose();
        await Cluster.DisposeAsync();
    }

    /// <summary>A fresh namespace, so tests never see each other's objects.</summary>
    public async Task<string> NewNamespaceAsync()
    {
        var name = $"t{Interlocked.Increment(ref _namespaces)}-{Guid.NewGuid().ToString("n")[..6]}";
        await Client.Resource(KubeResources.Namespaces).CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = name } });
        return name;
    }

    /// <summary>POSTs YAML as kubectl create would; returns status code and body.</summary>
    public async Task<(int Status, string Body)> ApplyYamlAsync(string path, string yaml)
    {
        using var content = new StringContent(yaml, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/yaml");
        using var response = await Http.PostAsync(new Uri(Cluster.Url, path.TrimStart('/')), content);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public static string RepoFile(string relative)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DataMover.sln")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("repository root not found"), relative);
    }

    private async Task WaitForCrdAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            using var response = await Http.GetAsync(new Uri(Cluster.Url, "apis/datamover.a-cup-of.coffee/v1alpha1/datamovers"));
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException("DataMover CRD not served: " + response.StatusCode);
            }

            await Task.Delay(50);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SandboxCollection : ICollectionFixture<SandboxFixture>
{
    public const string Name = "sandbox";
}

/// <summary>Captures log lines so tests can check what operators would grep for.</summary>
public sealed class ListLoggerProvider : ILoggerProvider
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new ListLogger(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(string line)
    {
        lock (_lines)
        {
            _lines.Add(line);
        }
    }

    private sealed class ListLogger(ListLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Add($"{logLevel} {category}: {formatter(state, exception)}");
    }
}
