using System.Text.Json.Nodes;
using DataMover.Sandbox.ApiServer;
using DataMover.Sandbox.ApiServer.Crd;
using DataMover.Sandbox.ApiServer.Tables;

namespace DataMover.Sandbox.Tests;

/// <summary>Pieces that are easier to pin down without HTTP.</summary>
public sealed class UnitTests
{
    [Theory]
    [InlineData("self == oldSelf", """{"a":1}""", """{"a":1}""", true)]
    [InlineData("self == oldSelf", """{"a":1}""", """{"a":2}""", false)]
    [InlineData("has(self.bucket)", """{"bucket":"x"}""", null, true)]
    [InlineData("!has(self.bucket) || self.bucket.startsWith('s3-')", """{"bucket":"gcs"}""", null, false)]
    [InlineData("self.replicas >= 1 && self.replicas <= 5", """{"replicas":3}""", null, true)]
    [InlineData("size(self.items) < 3 && self.items.all(i, i.size() > 1)", """{"items":["ab","cd"]}""", null, true)]
    [InlineData("self.mode in ['Snapshot', 'Clone']", """{"mode":"Other"}""", null, false)]
    [InlineData("self.name.matches('^[a-z]+$') ? true : false", """{"name":"abc"}""", null, true)]
    [InlineData("has(self.name) && has(self.__namespace__)", """{"name":"a","namespace":"b"}""", null, true)]
    public void Cel_subset_evaluates_common_rules(string rule, string self, string? old, bool expected)
    {
        var program = CelProgram.Compile(rule);
        Assert.Equal(expected, program.Evaluate(JsonNode.Parse(self), old is null ? null : JsonNode.Parse(old)));
    }

    [Theory]
    [InlineData("self.map(x, x * 2) == [2]")]
    [InlineData("quantity(self.size).isGreaterThan(quantity('1Gi'))")]
    public void Unsupported_cel_fails_to_compile(string rule) =>
        Assert.Throws<CelException>(() => CelProgram.Compile(rule).Evaluate(JsonNode.Parse("{}"), null));

    [Fact]
    public void Slow_watchers_are_closed_when_their_queue_overflows()
    {
        var watcher = new Watcher("/configmaps", null, _ => true, capacity: 2, bookmarks: false);
        for (var i = 0; i < 3; i++)
        {
            watcher.Offer(new StoredEvent("ADDED", new JsonObject(), null, i));
        }

        Assert.True(watcher.Overflowed);
        Assert.True(watcher.Reader.TryRead(out _));
        Assert.True(watcher.Reader.TryRead(out _));
        Assert.False(watcher.Reader.TryRead(out _));
        Assert.True(watcher.Reader.Completion.IsCompleted);
    }

    [Theory]
    [InlineData(5, "5s")]
    [InlineData(150, "2m30s")]
    [InlineData(600, "10m")]
    [InlineData(3 * 3600 + 60, "3h1m")]
    [InlineData(30 * 3600, "30h")]
    [InlineData(3 * 86400 + 7200, "3d2h")]
    [InlineData(400 * 86400, "400d")]
    public void Ages_render_like_kubectl(int seconds, string expected) =>
        Assert.Equal(expected, HumanDuration.Format(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Fault_spec_parses_verbs_and_values()
    {
        var faults = DataMover.Sandbox.Hosting.FaultInjector.Parse("error500=0.05,error429=1:list+watch,conflict=0.1,latency=20,cutWatches=10,seed=3");
        Assert.Equal(TimeSpan.FromMilliseconds(20), faults.Latency);
        Assert.Equal(TimeSpan.FromSeconds(10), faults.CutWatchesEvery);
        Assert.True(faults.Enabled);
        Assert.Throws<FormatException>(() => faults.Configure("error500=2"));
    }
}
