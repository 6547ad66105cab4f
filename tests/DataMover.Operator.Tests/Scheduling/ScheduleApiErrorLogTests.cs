using System.Globalization;
using System.Net;
using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Scheduling;
using DataMover.Operator.Tests.Sandbox;
using Microsoft.Extensions.Logging;

namespace DataMover.Operator.Tests.Scheduling;

/// <summary>A run the API server refuses is logged once per attempt, with the API's status as fields.</summary>
public sealed class ScheduleApiErrorLogTests
{
    private const string Refusal = "etcdserver: request timed out";

    [Fact]
    public async Task Each_refused_create_is_one_log_line_and_the_not_ready_transition_does_not_repeat_it()
    {
        var time = new FakeTimeProvider(At("10:00:30"));
        var store = new InMemoryScheduleStore(time);
        using var logs = new ListLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var reconciler = new ScheduleReconciler(store, new RecordingEvents(), time, loggers.CreateLogger("schedule"));
        store.AddSchedule("backup", new DataMoverScheduleSpec { Schedule = "* * * * *", SourcePvc = "data", SecretName = "s3" });
        store.CreateFailure = new KubeApiException(new Status { Reason = "InternalError", Message = Refusal }, HttpStatusCode.InternalServerError);

        // The first attempt also turns Ready False (an event); the second only retries.
        time.SetUtcNow(At("10:01:00"));
        await reconciler.ReconcileAsync("default/backup", CancellationToken.None);
        time.SetUtcNow(At("10:01:01"));
        await reconciler.ReconcileAsync("default/backup", CancellationToken.None);

        var lines = logs.Lines.Where(l => l.Contains(Refusal, StringComparison.Ordinal)).ToList();
        Assert.Equal(2, lines.Count);
        Assert.All(lines, l => Assert.Contains("could not create run", l, StringComparison.Ordinal));
        Assert.All(lines, l => Assert.Contains("API error 500 InternalError: " + Refusal, l, StringComparison.Ordinal));
    }

    private static DateTimeOffset At(string hhmmss) => DateTimeOffset.Parse("2026-11-21T" + hhmmss + "Z", CultureInfo.InvariantCulture);
}
