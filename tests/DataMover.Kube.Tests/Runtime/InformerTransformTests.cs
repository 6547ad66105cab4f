using System.Collections.Concurrent;
using System.Text.Json;
using DataMover.Kube.Client;
using DataMover.Kube.Config;
using DataMover.Kube.Json;
using DataMover.Kube.Models;
using DataMover.Kube.Runtime;
using static DataMover.Kube.Tests.Runtime.ScriptedWatchServer;

namespace DataMover.Kube.Tests.Runtime;

/// <summary>What an informer keeps: managedFields never, and what its transform returns, on list, watch and relist alike.</summary>
public sealed class InformerTransformTests
{
    [Fact]
    public async Task The_transform_and_managed_fields_stripping_apply_to_listed_watched_and_relisted_objects()
    {
        await using var server = await StartAsync();
        server.OnList(List(5, Managed("a", 5)));
        server.OnWatch(async ctx =>
        {
            await SendAsync(ctx, "ADDED", Managed("b", 6));
            await SendAsync(ctx, "MODIFIED", Managed("a", 7));
            await SendAsync(ctx, "ERROR", StatusJson(410, "Expired", "too old resource version: 7 (9)"));
        });
        server.OnList(List(9, Managed("a", 7), Managed("c", 9)));

        var client = new KubeClient(new KubeClientSettings { Server = server.Url, MaxAttempts = 1 });
        var informer = new Informer<ConfigMap>(client, KubeResources.ConfigMaps, new InformerOptions { Namespace = "default", MinBackoff = TimeSpan.FromMilliseconds(10) });
        informer.SetTransform(c => c with { Data = new Dictionary<string, string> { ["v"] = "kept " + c.Data!["v"] } });
        var seen = new ConcurrentQueue<ConfigMap>();
        informer.AddHandler(new InformerHandler<ConfigMap>(seen.Enqueue, (_, c) => seen.Enqueue(c), seen.Enqueue));
        using var cts = new CancellationTokenSource();
        var run = informer.RunAsync(cts.Token);
        await WaitUntilAsync(() => informer.Get("default", "c") is not null);
        await cts.CancelAsync();
        await run;

        Assert.Equal(["a 5", "b 6", "a 7", "c 9", "b 6"], seen.Select(c => $"{c.Metadata.Name} {c.Metadata.ResourceVersion}").ToArray());
        Assert.All(seen.Concat(informer.List()), c =>
        {
            Assert.StartsWith("kept ", c.Data!["v"], StringComparison.Ordinal);
            Assert.False(c.Metadata.Extra?.ContainsKey("managedFields") ?? false, $"{c.Metadata.Name} kept managedFields");
            // Unknown metadata other than managedFields stays.
            Assert.True(c.Metadata.Extra!.ContainsKey("selfLink"));
        });
    }

    [Fact]
    public void A_cached_pod_keeps_what_the_operator_reads_and_drops_its_containers()
    {
        var pod = JsonSerializer.Deserialize(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "pod.json")), KubeJsonContext.Default.Pod)!;

        var cached = InformerTransforms.PodForCache(InformerTransforms.WithoutManagedFields(pod));

        Assert.NotNull(pod.Metadata.Extra?["managedFields"]);
        Assert.Null(cached.Metadata.Extra);
        Assert.Equal(pod.Metadata with { Extra = null }, cached.Metadata);
        Assert.Empty(cached.Spec!.Containers);
        Assert.Equal(["data"], cached.Spec.Volumes!.Select(v => v.PersistentVolumeClaim!.ClaimName).ToArray());
        Assert.Equal(pod.Status!.Phase, cached.Status!.Phase);
        Assert.Equal(pod.Status.Conditions, cached.Status.Conditions);
        Assert.Equal(pod.Status.ContainerStatuses!.Select(c => c.State), cached.Status.ContainerStatuses!.Select(c => c.State));
        Assert.Equal(pod.Status.ContainerStatuses!.Select(c => c.Name), cached.Status.ContainerStatuses!.Select(c => c.Name));
        Assert.True(JsonSerializer.Serialize(cached, KubeJsonContext.Default.Pod).Length < JsonSerializer.Serialize(pod, KubeJsonContext.Default.Pod).Length / 2);
    }

    [Fact]
    public void A_cached_job_keeps_its_status_and_drops_its_pod_template()
    {
        var job = JsonSerializer.Deserialize(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "job.json")), KubeJsonContext.Default.Job)!;

        var cached = InformerTransforms.JobForCache(job);

        Assert.NotEmpty(job.Spec!.Template.Spec!.Containers);
        Assert.Null(cached.Spec!.Template.Spec);
        Assert.Equal(job.Spec.BackoffLimit, cached.Spec.BackoffLimit);
        Assert.Equal(job.Status, cached.Status);
        Assert.Equal(job.Metadata, cached.Metadata);
    }

    private static string Managed(string name, int rv) =>
        """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"NAME","namespace":"default","uid":"uid-NAME","resourceVersion":"RV","selfLink":"/x","managedFields":[{"manager":"kubectl","operation":"Update","apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:v":{}}}}]},"data":{"v":"RV"}}"""
            .Replace("NAME", name, StringComparison.Ordinal)
            .Replace("RV", rv.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 15s");
            await Task.Delay(20);
        }
    }
}
