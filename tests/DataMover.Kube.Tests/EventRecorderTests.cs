using System.Text;
using DataMover.Kube.Client;
using DataMover.Kube.Config;
using DataMover.Kube.Models;
using DataMover.Kube.Runtime;
using DataMover.Kube.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataMover.Kube.Tests;

/// <summary>The recorder against a scripted in-memory Events endpoint on Kestrel.</summary>
public sealed class EventRecorderTests
{
    private static readonly EventRecorderOptions FastRetries = new() { RetryInterval = TimeSpan.FromMilliseconds(20), MaxTriesPerEvent = 12 };

    private static readonly Pod Pod = new()
    {
        // As read from a list: no apiVersion/kind of its own.
        Metadata = new ObjectMeta { Name = "mover-7d9f", Namespace = "apps", Uid = "0b1c2d3e-0000-0000-0000-000000000001", ResourceVersion = "48213" },
    };

    [Fact]
    public async Task The_same_event_twice_is_one_Event_with_count_2()
    {
        var events = new InMemoryObjectServer("/api/v1/namespaces/apps/events");
        await using var server = await ScriptedServer.StartAsync(events.Map);
        using var client = new KubeClient(new KubeClientSettings { Server = server.BaseAddress });
        await using var recorder = new EventRecorder(client, "datamover-operator", "operator-pod-1", TimeProvider.System, NullLogger<EventRecorder>.Instance);

        recorder.Normal(Pod, "Started", "Started rclone sync");
        await recorder.FlushAsync();
        await Task.Delay(1100); // so lastTimestamp (whole seconds) moves
        recorder.Normal(Pod, "Started", "Started rclone sync");
        await recorder.FlushAsync();

        var stored = Assert.Single(events.All());
        Assert.Equal(2, stored["count"]!.GetValue<int>());
        Assert.NotEqual(stored["firstTimestamp"]!.GetValue<string>(), stored["lastTimestamp"]!.GetValue<string>());
        Assert.Matches("^mover-7d9f\\.[0-9a-f]{16}$", stored["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal("Normal", stored["type"]!.GetValue<string>());
        Assert.Equal("Started", stored["reason"]!.GetValue<string>());
        Assert.Equal("datamover-operator", stored["reportingComponent"]!.GetValue<string>());
        Assert.Equal("operator-pod-1", stored["reportingInstance"]!.GetValue<string>());
        Assert.Equal("datamover-operator", stored["source"]!["component"]!.GetValue<string>());
        var involved = stored["involvedObject"]!;
        Assert.Equal("Pod", involved["kind"]!.GetValue<string>());
        Assert.Equal("v1", involved["apiVersion"]!.GetValue<string>());
        Assert.Equal(Pod.Metadata.Uid, involved["uid"]!.GetValue<string>());
        Assert.Equal("48213", involved["resourceVersion"]!.GetValue<string>());
        Assert.Equal(["POST", "PATCH(application/strategic-merge-patch+json)"], events.Requests.Select(r => r.Split(' ')[0]));
    }

    [Fact]
    public async Task Different_messages_and_types_are_separate_Events()
    {
        var events = new InMemoryObjectServer("/api/v1/namespaces/apps/events");
        await using var server = await ScriptedServer.StartAsync(events.Map);
        using var client = new KubeClient(new KubeClientSettings { Server = server.BaseAddress });
        await using var recorder = new EventRecorder(client, "datamover-operator", null, TimeProvider.System, NullLogger<EventRecorder>.Instance);

        recorder.Normal(Pod, "Synced", "copied 10 files");
        recorder.Normal(Pod, "Synced", "copied 11 files");
        recorder.Warning(Pod, "Synced", "copied 11 files");
        await recorder.FlushAsync();

        Assert.Equal(3, events.All().Count);
        Assert.All(events.All(), e => Assert.Equal(1, e["count"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Long_messages_are_cut_to_1024_bytes()
    {
        var events = new InMemoryObjectServer("/api/v1/namespaces/apps/events");
        await using var server = await ScriptedServer.StartAsync(events.Map);
        using var client = new KubeClient(new KubeClientSettings { Server = server.BaseAddress });
        await using var recorder = new EventRecorder(client, "datamover-operator", null, TimeProvider.System, NullLogger<EventRecorder>.Instance);

        recorder.Warning(Pod, "Failed", new string('é', 3000));
        await recorder.FlushAsync();

        var message = Assert.Single(events.All())["message"]!.GetValue<string>();
        Assert.InRange(Encoding.UTF8.GetByteCount(message), 1000, 1024);
        Assert.EndsWith(" ...", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_failures_never_reach_the_caller()
    {
        var events = new InMemoryObjectServer("/api/v1/namespaces/apps/events") { FailWrites = true };
        await using var server = await ScriptedServer.StartAsync(events.Map);
        using var client = new KubeClient(new KubeClientSettings { Server = server.BaseAddress, MaxAttempts = 1 });
        await using var recorder = new EventRecorder(client, "datamover-operator", null, TimeProvider.System, NullLogger<EventRecorder>.Instance, FastRetries);

        recorder.Warning(Pod, "Failed", "boom");
        recorder.Normal(new Pod(), "NoName", "an object without a name is logged, not thrown");
        await recorder.FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Empty(events.All());
        Assert.Equal(FastRetries.MaxTriesPerEvent, events.Requests.Count);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(429)]
    [InlineData(503)]
    public async Task An_event_the_server_failed_to_take_is_sent_again_and_lands(int code)
    {
        var events = new InMemoryObjectServer("/api/v1/namespaces/apps/events");
        events.NextWriteFailures.Enqueue(code);
        events.NextWriteFailures.Enqueue(code);
        await using var server = await ScriptedServer.StartAsync(events.Map);
        // One attempt per request, so that only the recorder's own retries can deliver it.
        using var client = new KubeClient(new KubeClientSettings { Server = server.BaseAddress, MaxAttempts = 1 });
        await using var recorder = new EventRecorder(client, "datamover-operator", null, TimeProvider.System, NullLogger<EventRecorder>.Instance, FastRetries);

        recorder.Warning(Pod, "MoverFailed", "bucket not found");
        await recorder.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("MoverFailed", Assert.Single(events.All())["reason"]!.GetValue<string>());
        Assert.Equal(3, events.Requests.Count);
    }

    [Fact]
    public async Task A_failed_patch_of_a_repeated_event_is_retried_and_counts_once()
    {
        var events = new InMemoryObjectServer("/api/v1/namespaces/apps/events");
        await using var server = await ScriptedServer.StartAsync(events.Map);
        using var client = new KubeClient(new KubeClientSettings { Server = server.BaseAddress, MaxAttempts = 1 });
        await using var recorder = new EventRecorder(client, "datamover-operator", null, TimeProvider.System, NullLogger<EventRecorder>.Instance, FastRetries);

        recorder.Normal(Pod, "Started", "Started rclone sync");
        await recorder.FlushAsync();
        events.NextWriteFailures.Enqueue(500);
        recorder.Normal(Pod, "Started", "Started rclone sync");
        await recorder.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, Assert.Single(events.All())["count"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_create_that_finds_the_event_already_there_is_not_retried()
    {
        var events = new InMemoryObjectServer("/api/v1/namespaces/apps/events");
        await using var server = await ScriptedServer.StartAsync(events.Map);
        using var client = new KubeClient(new KubeClientSettings { Server = server.BaseAddress, MaxAttempts = 1 });
        await using var recorder = new EventRecorder(client, "datamover-operator", null, TimeProvider.System, NullLogger<EventRecorder>.Instance, FastRetries);
        events.NextWriteFailures.Enqueue(409);

        recorder.Normal(Pod, "Started", "Started rclone sync");
        await recorder.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Single(events.Requests);
    }

    [Fact]
    public async Task An_expired_aggregated_event_is_created_again_when_its_patch_finds_nothing()
    {
        var events = new InMemoryObjectServer("/api/v1/namespaces/apps/events");
        await using var server = await ScriptedServer.StartAsync(events.Map);
        using var client = new KubeClient(new KubeClientSettings { Server = server.BaseAddress });
        await using var recorder = new EventRecorder(client, "datamover-operator", null, TimeProvider.System, NullLogger<EventRecorder>.Instance, FastRetries);

        recorder.Normal(Pod, "Started", "Started rclone sync");
        await recorder.FlushAsync();
        var name = Assert.Single(events.All())["metadata"]!["name"]!.GetValue<string>();
        events.Remove(name);
        recorder.Normal(Pod, "Started", "Started rclone sync");
        await recorder.FlushAsync();

        var stored = Assert.Single(events.All());
        Assert.Equal(name, stored["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal(2, stored["count"]!.GetValue<int>());
    }

    [Fact]
    public async Task Events_about_cluster_scoped_objects_go_to_the_default_namespace()
    {
        var events = new InMemoryObjectServer("/api/v1/namespaces/default/events");
        await using var server = await ScriptedServer.StartAsync(events.Map);
        using var client = new KubeClient(new KubeClientSettings { Server = server.BaseAddress });
        await using var recorder = new EventRecorder(client, "datamover-operator", null, TimeProvider.System, NullLogger<EventRecorder>.Instance);

        recorder.Normal(new PersistentVolume { Metadata = new ObjectMeta { Name = "pv-1", Uid = "u" } }, "Bound", "bound");
        await recorder.FlushAsync();

        var stored = Assert.Single(events.All());
        Assert.Equal("PersistentVolume", stored["involvedObject"]!["kind"]!.GetValue<string>());
        Assert.Null(stored["involvedObject"]!["namespace"]);
    }
}
