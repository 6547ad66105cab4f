using System.Text.Json;
using DataMover.Kube.Client;
using DataMover.Kube.Config;
using DataMover.Kube.Json;
using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Sandbox.ApiServer.Patching;
using DataMover.Sandbox.Hosting;

namespace DataMover.Operator.Tests.Scheduling;

/// <summary>
/// One in-process sandbox cluster for the schedule integration tests, with the DataMoverSchedule CRD from
/// deploy/crds and a minimal DataMover CRD (its real one belongs to the DataMover controller's branch).
/// </summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    // Only what these tests need: any spec, a status subresource the test can patch.
    private const string DataMoverCrd = """
        {
          "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
          "metadata": { "name": "datamovers.datamover.a-cup-of.coffee" },
          "spec": {
            "group": "datamover.a-cup-of.coffee", "scope": "Namespaced",
            "names": { "plural": "datamovers", "singular": "datamover", "kind": "DataMover", "listKind": "DataMoverList" },
            "versions": [ {
              "name": "v1alpha1", "served": true, "storage": true, "subresources": { "status": {} },
              "schema": { "openAPIV3Schema": { "type": "object", "properties": {
                "spec": { "type": "object", "x-kubernetes-preserve-unknown-fields": true },
                "status": { "type": "object", "x-kubernetes-preserve-unknown-fields": true } } } }
            } ]
          }
        }
        """;

    private SandboxCluster? _cluster;
    private int _namespaces;

    public KubeClient Client { get; private set; } = null!;

    /// <summary>The operator's own identity (deploy/rbac's ServiceAccount) for the controller under test; tests use <see cref="Client"/>.</summary>
    public KubeClient OperatorClient { get; private set; } = null!;

    /// <summary>For the real kubectl.</summary>
    public string KubeconfigPath => _cluster!.KubeconfigPath;

    /// <summary>Fault injection, changeable while tests run; tests that set faults clear them when done.</summary>
    public FaultInjector Faults => _cluster!.Faults;

    public static string RepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, relative);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new FileNotFoundException(relative);
    }

    public static string YamlToJson(string path) => YamlJson.Parse(File.ReadAllText(path))!.ToJsonString();

    public async Task InitializeAsync()
    {
        _cluster = await SandboxCluster.StartAsync(new SandboxOptions { NoNode = true });
        Client = new KubeClient(KubeConfigLoader.Load(_cluster.KubeconfigPath));
        var crds = Client.Resource(KubeResources.CustomResourceDefinitions);
        await crds.CreateAsync(JsonSerializer.Deserialize(YamlToJson(RepoFile("deploy/crds/datamoverschedules.yaml")), KubeJsonContext.Default.CustomResourceDefinition)!);
        await crds.CreateAsync(JsonSerializer.Deserialize(DataMoverCrd, KubeJsonContext.Default.CustomResourceDefinition)!);
        OperatorClient = new KubeClient(KubeConfigLoader.Load(await Support.OperatorIdentity.InstallAsync(_cluster)));

        // Served once the CRD controller has established both.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                await Client.Resource(DataMoverResources.Schedules).ListAsync("default");
                await Client.Resource(DataMoverResources.DataMovers).ListAsync("default");
                return;
            }
            catch (KubeApiException e) when (e.IsNotFound && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>A fresh namespace per test, so tests do not see each other's objects.</summary>
    public async Task<string> NewNamespaceAsync()
    {
        var name = "sched-" + Interlocked.Increment(ref _namespaces);
        await Client.Resource(KubeResources.Namespaces).CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = name } });
        return name;
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        OperatorClient?.Dispose();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
