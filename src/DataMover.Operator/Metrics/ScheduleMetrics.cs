using Prometheus;

namespace DataMover.Operator.Metrics;

/// <summary>
/// Per-schedule gauges, set from the status each reconcile computes and removed with the schedule. The period lets an
/// alert say "no success within twice the period" in PromQL without parsing cron.
/// </summary>
internal sealed class ScheduleMetrics
{
    private readonly Gauge _lastSuccess;
    private readonly Gauge _nextRun;
    private readonly Gauge _period;

    public ScheduleMetrics(IMetricFactory factory)
    {
        _lastSuccess = factory.CreateGauge("datamover_schedule_last_success_timestamp_seconds", "Unix time of the schedule's last successful run (status.lastSuccessfulTime).", ["namespace", "schedule"]);
        _nextRun = factory.CreateGauge("datamover_schedule_next_run_timestamp_seconds", "Unix time of the schedule's next run (status.nextScheduleTime); absent while suspended or invalid.", ["namespace", "schedule"]);
        _period = factory.CreateGauge("datamover_schedule_period_seconds", "Seconds between the schedule's next run and the one after it; absent while suspended or invalid.", ["namespace", "schedule"]);
    }

    /// <summary>Sets what the status says; a time it does not have removes that series rather than keeping a stale one.</summary>
    public void Observe(string ns, string schedule, DateTimeOffset? lastSuccess, DateTimeOffset? nextRun, TimeSpan? period)
    {
        SetOrRemove(_lastSuccess, lastSuccess is { } l ? Seconds(l) : null, ns, schedule);
        SetOrRemove(_nextRun, nextRun is { } n ? Seconds(n) : null, ns, schedule);
        SetOrRemove(_period, period?.TotalSeconds, ns, schedule);
    }

    /// <summary>The schedule is gone: none of its series stays.</summary>
    public void Forget(string ns, string schedule)
    {
        _lastSuccess.RemoveLabelled(ns, schedule);
        _nextRun.RemoveLabelled(ns, schedule);
        _period.RemoveLabelled(ns, schedule);
    }

    private static void SetOrRemove(Gauge gauge, double? value, string ns, string schedule)
    {
        if (value is { } v)
        {
            gauge.WithLabels(ns, schedule).Set(v);
        }
        else
        {
            gauge.RemoveLabelled(ns, schedule);
        }
    }

    private static double Seconds(DateTimeOffset t) => t.ToUnixTimeMilliseconds() / 1000.0;
}
