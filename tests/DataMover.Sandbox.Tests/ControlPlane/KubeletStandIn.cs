using System.Text.Json.Nodes;
using DataMover.Kube.Client;
using DataMover.Kube.Models;

namespace DataMover.Sandbox.Tests.ControlPlane;

/// <summary>Does over HTTP what the scheduler and kubelet would: binds pods to a node and reports how they ended.</summary>
public sealed class KubeletStandIn
{
    public const string NodeName = "stand-in-node";
    private readonly ResourceClient<Pod> _pods;

    public KubeletStandIn(KubeClient client) => _pods = client.Resource(KubeResources.Pods);

    public Task BindAsync(string ns, string name) =>
        _pods.SendSubresourceAsync(HttpMethod.Post, ns, name, "binding",
            new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Binding", ["metadata"] = new JsonObject { ["name"] = name }, ["target"] = new JsonObject { ["kind"] = "Node", ["name"] = NodeName } }.ToJsonString());

    /// <summary>Reports the pod terminated: each container with the given exit code, phase Succeeded when all are 0.</summary>
    public Task<Pod> FinishAsync(string ns, string name, int exitCode, string container = "main", JsonArray? conditions = null)
    {
        var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        var status = new JsonObject
        {
            ["phase"] = exitCode == 0 ? "Succeeded" : "Failed",
            ["containerStatuses"] = new JsonArray(new JsonObject
            {
                ["name"] = container,
                ["image"] = "busybox",
                ["imageID"] = "",
                ["ready"] = false,
                ["restartCount"] = 0,
                ["state"] = new JsonObject
                {
                    ["terminated"] = new JsonObject { ["exitCode"] = exitCode, ["reason"] = exitCode == 0 ? "Completed" : "Error", ["startedAt"] = now, ["finishedAt"] = now },
                },
            }),
        };
        if (conditions is not null)
        {
            status["conditions"] = conditions;
        }

        return _pods.PatchStatusAsync(ns, name, KubePatch.Merge(new JsonObject { ["status"] = status }));
    }

    /// <summary>What the kubelet does once a deleted pod's containers are gone.</summary>
    public Task ForceDeleteAsync(string ns, string name) =>
        _pods.DeleteAsync(ns, name, new DeleteOptions { GracePeriodSeconds = 0 });
}
