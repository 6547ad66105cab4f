using System.Globalization;
using DataMover.Kube.Runtime;
using DataMover.Operator.Api;
using DataMover.Operator.Scheduling;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataMover.Operator.Tests.Scheduling;

/// <summary>
/// The reconciler under the real <see cref="ControllerLoop"/>: wake-ups come only from the queue's timers on the
/// fake clock, so advancing the clock is what starts runs (no polling).
/// </summary>
public sealed class ScheduleLoopTests
{
    private static DateTimeOffset At(string hhmmss) => DateTimeOffset.Parse("2026-11-21T" + hhmmss + "Z", CultureInfo.InvariantCulture);

    [Fact]
    public async Task Advancing_the_clock_fires_the_requeue_and_starts_one_run_per_minute()
    {
        var time = new TimerCountingTimeProvider(At("10:00:30"));
        var store = new InMemoryScheduleStore(time);
        var reconciler = new ScheduleReconciler(store, new RecordingEvents(), time, NullLogger.Instance);
        using var loop = new ControllerLoop("schedule", reconciler, 1, NullLogger.Instance, time: time);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var running = loop.RunAsync(cts.Token);

        store.AddSchedule("backup", new DataMoverScheduleSpec { Schedule = "* * * * *", SourcePvc = "data", SecretName = "s3" });
        loop.Enqueue("default/backup");
        await Eventually(() => store.Schedule("backup").Status?.NextScheduleTime == At("10:01:00"));
        await Eventually(() => time.PendingTimers == 1);
        Assert.Empty(store.Runs);

        for (var minute = 1; minute <= 3; minute++)
        {
            store.FinishAll();
            time.SetUtcNow(At("10:00:00").AddMinutes(minute));
            var expected = minute;
            await Eventually(() => store.Runs.Count == expected);
            await Eventually(() => time.PendingTimers == 1);
        }

        Assert.Equal(3, store.Creates);
        await cts.CancelAsync();
        await running;
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in 10s");
            await Task.Delay(10);
        }
    }
}
