using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Sandbox.ControlPlane;
using DataMover.Sandbox.Hosting;
using DataMover.Sandbox.Node;

namespace DataMover.Sandbox.Tests.ControlPlane;

/// <summary>One in-process sandbox (API server, control plane, node agent) shared by the cluster tests.</summary>
public sealed class ClusterFixture : SandboxClusterFixture
{
    public const string HostOnlyVariable = "AWS_CA_BUNDLE";

    protected override SandboxOptions Options()
    {
        // The host sets variables like this one; a pod must never see them.
        Environment.SetEnvironmentVariable(HostOnlyVariable, "/etc/host-only-ca.pem");
        var options = new SandboxOptions();
        SandboxComponents.AddDefaults(
            options,
            new ControlPlaneOptions { JobPodFailureBackoff = TimeSpan.FromMilliseconds(300) },
            new NodeAgentOptions { DataDir = "", SlowProvisionDelay = TimeSpan.FromSeconds(2), BackOff = TimeSpan.FromSeconds(1) });
        return options;
    }

    public static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, TimeSpan? timeout = null, string? what = null)
        where T : class
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var value = await probe();
            if (value is not null)
            {
                return value;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException("timed out waiting for " + (what ?? "condition"));
            }

            await Task.Delay(100);
        }
    }

    public static Task EventuallyAsync(Func<Task<bool>> probe, TimeSpan? timeout = null, string? what = null) =>
        EventuallyAsync<object>(async () => await probe() ? new object() : null, timeout, what);

    public async Task<IReadOnlyList<Event>> EventsForAsync(string ns, string name) =>
        (await Client.Resource(KubeResources.Events).ListAsync(ns)).Items.Where(e => e.InvolvedObject?.Name == name).ToList();

    public async Task<string> LogsAsync(string ns, string pod, string? container = null)
    {
        using var http = Cluster.CreateHttpClient();
        var url = $"api/v1/namespaces/{ns}/pods/{pod}/log" + (container is null ? "" : "?container=" + container);
        return await http.GetStringAsync(url);
    }

    public async Task<Pod> WaitForPhaseAsync(string ns, string name, string phase, TimeSpan? timeout = null)
    {
        try
        {
            return await EventuallyAsync(async () =>
            {
                var pod = await Client.Resource(KubeResources.Pods).TryGetAsync(ns, name);
                return pod?.Status?.Phase == phase ? pod : null;
            }, timeout ?? TimeSpan.FromSeconds(30), $"pod {ns}/{name} {phase}");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + "\n" + await DescribeAsync(ns, name), e);
        }
    }

    /// <summary>Pod status and events, for failure messages.</summary>
    public async Task<string> DescribeAsync(string ns, string name)
    {
        var pod = await Client.Resource(KubeResources.Pods).TryGetAsync(ns, name);
        var status = pod is null ? "(no pod)" : System.Text.Json.JsonSerializer.Serialize(pod, DataMover.Kube.Json.KubeJsonContext.Default.Pod);
        var events = string.Join("\n", (await EventsForAsync(ns, name)).Select(e => $"{e.Type} {e.Reason}: {e.Message}"));
        return status + "\n" + events;
    }

    public static Pod ShellPod(string ns, string name, string script)
    {
        var c = new Container { Name = "main", Image = "busybox:1.36", Command = ["/bin/sh", "-c", script] };
        var podSpec = new PodSpec { Containers = [c], RestartPolicy = "Never" };
        return new Pod { Metadata = new ObjectMeta { Name = name, Namespace = ns }, Spec = podSpec };
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
