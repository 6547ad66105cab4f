using System.Globalization;
using DataMover.Operator.Scheduling;

namespace DataMover.Operator.Tests.Scheduling;

public sealed class ScheduleRunPlannerTests
{
    private static readonly CronSchedule EveryMinute = CronSchedule.Parse("* * * * *", null).Schedule!;
    private static readonly CronSchedule Quarterly = CronSchedule.Parse("*/15 * * * *", null).Schedule!;

    private static DateTimeOffset At(string hhmmss) => DateTimeOffset.Parse("2026-11-21T" + hhmmss + "Z", CultureInfo.InvariantCulture);

    [Fact]
    public void Nothing_due_before_the_next_time()
    {
        var plan = ScheduleRunPlanner.Plan(EveryMinute, At("10:00:00"), null, At("10:00:30"));
        Assert.Null(plan.Due);
        Assert.Equal(At("10:01:00"), plan.Next);
        Assert.Null(plan.MissedBeyondDeadline);
    }

    [Fact]
    public void Due_exactly_at_the_scheduled_time()
    {
        var plan = ScheduleRunPlanner.Plan(EveryMinute, At("10:00:00"), null, At("10:01:00"));
        Assert.Equal(At("10:01:00"), plan.Due);
        Assert.Equal(At("10:02:00"), plan.Next);
    }

    [Fact]
    public void After_an_outage_only_the_most_recent_missed_run_is_due()
    {
        var plan = ScheduleRunPlanner.Plan(EveryMinute, At("10:00:00"), null, At("10:03:30"));
        Assert.Equal(At("10:03:00"), plan.Due);
        Assert.Equal(At("10:04:00"), plan.Next);
    }

    [Fact]
    public void Runs_missed_by_more_than_the_deadline_are_not_due()
    {
        var plan = ScheduleRunPlanner.Plan(Quarterly, At("10:00:00"), 20, At("10:30:30"));
        Assert.Null(plan.Due);
        Assert.Equal(At("10:30:00"), plan.MissedBeyondDeadline);
        Assert.Equal(At("10:45:00"), plan.Next);
    }

    [Fact]
    public void The_most_recent_run_within_the_deadline_is_due_and_older_ones_reported_missed()
    {
        var plan = ScheduleRunPlanner.Plan(Quarterly, At("10:00:00"), 60, At("10:30:30"));
        Assert.Equal(At("10:30:00"), plan.Due);
        Assert.Equal(At("10:15:00"), plan.MissedBeyondDeadline);
    }

    [Fact]
    public void A_run_exactly_at_the_deadline_still_starts()
    {
        var plan = ScheduleRunPlanner.Plan(Quarterly, At("10:00:00"), 20, At("10:15:20"));
        Assert.Equal(At("10:15:00"), plan.Due);
        Assert.Null(plan.MissedBeyondDeadline);
    }

    [Fact]
    public void Handled_times_are_not_due_again()
    {
        var plan = ScheduleRunPlanner.Plan(EveryMinute, At("10:03:00"), null, At("10:03:30"));
        Assert.Null(plan.Due);
    }

    [Fact]
    public void Nothing_is_reported_missed_when_the_deadline_window_covers_the_gap()
    {
        var plan = ScheduleRunPlanner.Plan(EveryMinute, At("10:02:00"), 300, At("10:03:10"));
        Assert.Equal(At("10:03:00"), plan.Due);
        Assert.Null(plan.MissedBeyondDeadline);
    }
}
