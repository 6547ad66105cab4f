using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using DataMover.Kube.Json;
using DataMover.Kube.Models;

namespace DataMover.Kube.Tests;

/// <summary>
/// Responses shaped as the API server writes them (from the API reference): every field, known or not, survives
/// deserialize→serialize, and timestamps come back in the server's own format. Explicit nulls are dropped, which
/// the server treats as unset.
/// </summary>
public sealed class JsonRoundTripTests
{
    [Fact]
    public void Pod_keeps_unknown_fields_at_every_level()
    {
        var (pod, written) = RoundTrip("pod.json", KubeJsonContext.Default.Pod);

        Assert.Equal("10.244.0.7", pod.Status!.PodIp);
        Assert.Equal("containerd://9a8b7c", pod.Status.ContainerStatuses![0].ContainerId);
        Assert.True(pod.Spec!.Extra!.ContainsKey("preemptionPolicy"));
        Assert.Equal(300, pod.Spec.Tolerations![0].TolerationSeconds);
        Assert.Equal("NoExecute", written["spec"]!["tolerations"]![0]!["effect"]!.GetValue<string>());
        Assert.True(pod.Spec.Containers[0].Extra!.ContainsKey("livenessProbe"));
        Assert.True(pod.Metadata.Extra!.ContainsKey("managedFields"));
        Assert.Equal("Burstable", written["status"]!["qosClass"]!.GetValue<string>());
        Assert.Equal("2024-05-01T10:00:05Z", written["status"]!["conditions"]![0]!["lastTransitionTime"]!.GetValue<string>());
    }

    [Fact]
    public void Pvc_round_trips()
    {
        var (pvc, _) = RoundTrip("pvc.json", KubeJsonContext.Default.PersistentVolumeClaim);
        Assert.Equal("10Gi", pvc.Status!.Capacity!["storage"]);
        Assert.True(pvc.Spec!.Extra!.ContainsKey("volumeAttributesClassName"));
    }

    [Fact]
    public void Job_with_status_round_trips()
    {
        var (job, written) = RoundTrip("job.json", KubeJsonContext.Default.Job);
        Assert.Equal(1, job.Status!.Succeeded);
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 10, 2, 0, TimeSpan.Zero), job.Status.CompletionTime);
        Assert.Null(job.Spec!.Template.Metadata!.CreationTimestamp);
        Assert.Equal("2024-05-01T10:02:00Z", written["status"]!["completionTime"]!.GetValue<string>());
    }

    [Fact]
    public void Crd_round_trips_with_raw_schema()
    {
        var (crd, _) = RoundTrip("crd.json", KubeJsonContext.Default.CustomResourceDefinition);
        Assert.Equal("DataMover", crd.Spec!.Names.Kind);
        Assert.True(crd.Spec.Extra!.ContainsKey("conversion"));
    }

    [Fact]
    public void Event_round_trips()
    {
        var (evt, _) = RoundTrip("event.json", KubeJsonContext.Default.Event);
        Assert.Equal(3, evt.Count);
        Assert.Equal("spec.containers{rclone}", evt.InvolvedObject!.FieldPath);
    }

    [Fact]
    public void Lease_keeps_microsecond_times()
    {
        var (lease, written) = RoundTrip("lease.json", KubeJsonContext.Default.Lease);
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 10, 4, 58, TimeSpan.Zero).AddTicks(10), lease.Spec!.RenewTime);
        Assert.Equal("2024-05-01T09:59:00.123456Z", written["spec"]!["acquireTime"]!.GetValue<string>());
        Assert.Equal("OldestEmulationVersion", written["spec"]!["strategy"]!.GetValue<string>());
    }

    [Fact]
    public void Times_are_written_in_utc_whatever_offset_they_carry()
    {
        var ns = new Namespace { Metadata = new ObjectMeta { Name = "x", CreationTimestamp = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.FromHours(2)) } };
        var json = JsonSerializer.Serialize(ns, KubeJsonContext.Default.Namespace);
        Assert.Contains("\"creationTimestamp\":\"2024-05-01T10:00:00Z\"", json, StringComparison.Ordinal);
    }

    private static (T Model, JsonNode Written) RoundTrip<T>(string fixture, JsonTypeInfo<T> typeInfo)
    {
        var original = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", fixture));
        var model = JsonSerializer.Deserialize(original, typeInfo)!;
        var written = JsonNode.Parse(JsonSerializer.Serialize(model, typeInfo))!;
        var expected = WithoutNulls(JsonNode.Parse(original)!);
        Assert.True(JsonNode.DeepEquals(expected, written), $"round trip of {fixture} changed it:\n{written.ToJsonString()}");
        return (model, written);
    }

    private static JsonNode WithoutNulls(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj.ToList())
                {
                    if (value is null)
                    {
                        obj.Remove(name);
                    }
                    else
                    {
                        WithoutNulls(value);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    if (item is not null)
                    {
                        WithoutNulls(item);
                    }
                }

                break;
        }

        return node;
    }
}
