using System.Text.Json;
using DataMover.Kube.Json;
using DataMover.Kube.Models;
using DataMover.Sandbox.ControlPlane;
using KubeNode = DataMover.Kube.Models.Node;

namespace DataMover.Sandbox.Tests.ControlPlane;

/// <summary>
/// The scheduler's NodeAffinity filter on required node affinity (component-helpers nodeaffinity): a pod no node
/// satisfies is not placed anywhere, as on a real cluster.
/// </summary>
public sealed class NodeAffinityFilterTests
{
    private static readonly KubeNode Node = new()
    {
        Metadata = new ObjectMeta { Name = "sandbox-node", Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = "sandbox-node", ["kubernetes.io/os"] = "linux", ["cores"] = "8" } },
    };

    private static Pod PodWith(string affinityJson) =>
        JsonSerializer.Deserialize("""{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}],"affinity":AFFINITY}}""".Replace("AFFINITY", affinityJson, StringComparison.Ordinal), KubeJsonContext.Default.Pod)!;

    private static string Required(string terms) =>
        """{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":TERMS}}}""".Replace("TERMS", terms, StringComparison.Ordinal);

    [Theory]
    [InlineData("""[{"matchExpressions":[{"key":"kubernetes.io/os","operator":"In","values":["linux"]}]}]""", true)]
    [InlineData("""[{"matchExpressions":[{"key":"kubernetes.io/os","operator":"In","values":["windows"]}]}]""", false)]
    [InlineData("""[{"matchExpressions":[{"key":"kubernetes.io/os","operator":"In","values":["windows"]}]},{"matchExpressions":[{"key":"cores","operator":"Gt","values":["4"]}]}]""", true)]
    [InlineData("""[{"matchExpressions":[{"key":"kubernetes.io/os","operator":"In","values":["linux"]},{"key":"gpu","operator":"Exists"}]}]""", false)]
    [InlineData("""[{"matchExpressions":[{"key":"gpu","operator":"DoesNotExist"},{"key":"cores","operator":"Lt","values":["16"]}]}]""", true)]
    [InlineData("""[{"matchExpressions":[{"key":"kubernetes.io/os","operator":"NotIn","values":["linux"]}]}]""", false)]
    [InlineData("""[{"matchFields":[{"key":"metadata.name","operator":"In","values":["sandbox-node"]}]}]""", true)]
    [InlineData("""[{}]""", false)]
    public void RequiredNodeAffinityFiltersNodes(string terms, bool fits)
    {
        var failure = PodScheduler.FilterFailure(PodWith(Required(terms)), Node, [], []);
        Assert.Equal(fits ? null : "node(s) didn't match Pod's node affinity/selector", failure);
    }

    [Fact]
    public void PreferredAffinityAndPodAffinityDoNotFilter() =>
        Assert.Null(PodScheduler.FilterFailure(PodWith("""{"nodeAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":1,"preference":{"matchExpressions":[{"key":"gpu","operator":"Exists"}]}}]}}"""), Node, [], []));
}
