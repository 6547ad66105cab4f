using DataMover.Kube.Client;
using DataMover.Operator.Api;
using Dm = DataMover.Operator.Api.DataMover;

namespace DataMover.Operator.Tests.Cluster;

/// <summary>
/// Drives the runs of the schedule "every-minute" in one namespace of the fake-clock cluster: its clock is moved past
/// each minute, and the run that minute starts is awaited until it finishes.
/// </summary>
internal sealed class ScheduledRuns(FakeClockClusterFixture fixture, string ns)
{
    private const string Schedule = "every-minute";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    /// <summary>Applies the schedule with the real kubectl, after bringing the operator's clock level with the server's.</summary>
    public async Task ApplyAsync(string yaml)
    {
        var lag = DateTimeOffset.UtcNow - fixture.Clock.GetUtcNow();
        if (lag > TimeSpan.Zero)
        {
            fixture.Clock.Advance(lag);
        }

        var manifest = Path.Combine(Path.GetTempPath(), $"schedule-{ns}.yaml");
        await File.WriteAllTextAsync(manifest, yaml);
        var (exit, output) = await fixture.KubectlAsync("apply", "-n", ns, "-f", manifest);
        File.Delete(manifest);
        Assert.True(exit == 0, output);
    }

    /// <summary>Moves the operator's clock past the next minute and waits for the run it starts to complete.</summary>
    public async Task<string> NextRunCompletesAsync(string? previous)
    {
        var now = fixture.Clock.GetUtcNow();
        var nextMinute = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(1);
        fixture.Clock.Advance(nextMinute - now + TimeSpan.FromSeconds(1));

        var run = await Eventually.ValueAsync(async () => (await ListAsync()).FirstOrDefault(d => d.Metadata.Name != previous), "a new scheduled DataMover", Timeout);
        var name = run.Metadata.Name!;
        Assert.Equal(Schedule, run.Metadata.ControllerReference()?.Name);
        Dm? last = null;
        var done = await Eventually.ValueAsync(async () =>
        {
            last = await fixture.Client.Resource(DataMoverResources.DataMovers).GetAsync(ns, name);
            return last.Status?.Phase is "Completed" or "Failed" ? last : null;
        }, $"{name} finished", Timeout).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : throw new TimeoutException(
            $"{name} did not finish: {System.Text.Json.JsonSerializer.Serialize(last?.Status, OperatorJsonContext.Default.DataMoverStatus)}", t.Exception), TaskScheduler.Default);
        Assert.Equal("Completed", done.Status!.Phase);
        return name;
    }

    public async Task<IReadOnlyList<Dm>> ListAsync() =>
        (await fixture.Client.Resource(DataMoverResources.DataMovers).ListAsync(ns, new ListOptions { LabelSelector = "datamover.a-cup-of.coffee/schedule=" + Schedule })).Items;
}
