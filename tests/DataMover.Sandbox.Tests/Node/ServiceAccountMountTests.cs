using System.Net;
using System.Text.Json.Nodes;
using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Sandbox.Tests.ControlPlane;

namespace DataMover.Sandbox.Tests.Node;

/// <summary>The kubelet mounts the projected ServiceAccount token volume the admission plugin adds, and the token works.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ServiceAccountMountTests
{
    private const string Dir = "/var/run/secrets/kubernetes.io/serviceaccount";
    private readonly ClusterFixture _fx;

    public ServiceAccountMountTests(ClusterFixture fx) => _fx = fx;

    [Fact]
    public async Task A_pod_reads_a_working_token_the_namespace_and_the_ca_and_the_token_dies_with_the_pod()
    {
        var ns = await _fx.NewNamespaceAsync("sa-mount");
        var pods = _fx.Client.Resource(KubeResources.Pods);
        var pod = ClusterFixture.ShellPod(ns, "reader", $"cat {Dir}/namespace; echo; head -n 1 {Dir}/ca.crt; cat {Dir}/token; echo; touch {Dir}/x 2>/dev/null || echo read-only");
        await pods.CreateAsync(pod with { Spec = pod.Spec! with { SecurityContext = new PodSecurityContext { RunAsUser = 65534, RunAsGroup = 65534 } } });
        await _fx.WaitForPhaseAsync(ns, "reader", "Succeeded");
        var lines = (await _fx.LogsAsync(ns, "reader")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(ns, lines[0]);
        Assert.Equal("-----BEGIN CERTIFICATE-----", lines[1]);
        Assert.Equal("read-only", lines[3]);
        var token = lines[2];

        using (var http = _fx.Cluster.Context.CreateHttpClient(token))
        {
            var review = await http.PostAsync("apis/authentication.k8s.io/v1/selfsubjectreviews", new StringContent("""{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}""", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Created, review.StatusCode);
            Assert.Equal($"system:serviceaccount:{ns}:default", JsonNode.Parse(await review.Content.ReadAsStringAsync())!["status"]!["userInfo"]!["username"]!.ToString());
        }

        // The kubelet's token is bound to the pod: deleting the pod invalidates it.
        await pods.DeleteAsync(ns, "reader", new DeleteOptions { GracePeriodSeconds = 0 });
        await ClusterFixture.EventuallyAsync(async () => await pods.TryGetAsync(ns, "reader") is null, what: "pod gone");
        using var after = _fx.Cluster.Context.CreateHttpClient(token);
        Assert.Equal(HttpStatusCode.Unauthorized, (await after.GetAsync("api")).StatusCode);
    }

    [Fact]
    public async Task Nothing_is_mounted_when_the_pod_opts_out()
    {
        var ns = await _fx.NewNamespaceAsync("sa-nomount");
        var pod = ClusterFixture.ShellPod(ns, "quiet", $"ls {Dir} 2>/dev/null || echo absent");
        await _fx.Client.Resource(KubeResources.Pods).CreateAsync(pod with { Spec = pod.Spec! with { AutomountServiceAccountToken = false } });
        await _fx.WaitForPhaseAsync(ns, "quiet", "Succeeded");
        Assert.Equal("absent\n", await _fx.LogsAsync(ns, "quiet"));
    }
}
