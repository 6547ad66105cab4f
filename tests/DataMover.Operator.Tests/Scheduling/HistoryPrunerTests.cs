using DataMover.Kube.Models;
using DataMover.Operator.Scheduling;

namespace DataMover.Operator.Tests.Scheduling;

public sealed class HistoryPrunerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    private static ScheduledRun Run(int minute, RunState state) => new(
        new Api.DataMover { Metadata = new ObjectMeta { Name = $"s-{minute}" } }, T0.AddMinutes(minute), state);

    [Fact]
    public void Deletes_the_oldest_finished_runs_beyond_the_limits()
    {
        var runs = new[]
        {
            Run(1, RunState.Succeeded), Run(2, RunState.Failed), Run(3, RunState.Succeeded), Run(4, RunState.Succeeded),
            Run(5, RunState.Failed), Run(6, RunState.Succeeded), Run(7, RunState.Succeeded), Run(8, RunState.Failed),
            Run(0, RunState.Active), Run(9, RunState.Active),
        };

        var deleted = HistoryPruner.Select(runs, 3, 1).Select(r => r.Name).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(["s-1", "s-2", "s-3", "s-5"], deleted);
    }

    [Fact]
    public void Zero_limits_delete_every_finished_run_but_never_active_ones()
    {
        var runs = new[] { Run(1, RunState.Succeeded), Run(2, RunState.Failed), Run(3, RunState.Active) };
        Assert.Equal(["s-1", "s-2"], HistoryPruner.Select(runs, 0, 0).Select(r => r.Name));
    }

    [Fact]
    public void Within_limits_nothing_is_deleted()
    {
        var runs = new[] { Run(1, RunState.Succeeded), Run(2, RunState.Failed) };
        Assert.Empty(HistoryPruner.Select(runs, 3, 1));
    }

    [Fact]
    public void Run_state_comes_from_phase_or_conditions()
    {
        Api.DataMover Mover(string? phase, string? condition = null) => new()
        {
            Status = new Api.DataMoverStatus
            {
                Phase = phase,
                Conditions = condition is null ? null : [new Condition { Type = condition, Status = "True" }],
            },
        };

        Assert.Equal(RunState.Succeeded, ScheduledRun.StateOf(Mover("Completed")));
        Assert.Equal(RunState.Failed, ScheduledRun.StateOf(Mover("Failed")));
        Assert.Equal(RunState.Active, ScheduledRun.StateOf(Mover("CreatingPod")));
        Assert.Equal(RunState.Active, ScheduledRun.StateOf(Mover(null)));
        Assert.Equal(RunState.Succeeded, ScheduledRun.StateOf(Mover("", "Complete")));
        Assert.Equal(RunState.Failed, ScheduledRun.StateOf(Mover("", "Failed")));
    }
}
