using DataMover.EndToEnd.Tests.Backup;

namespace DataMover.EndToEnd.Tests.Retention;

/// <summary>The whole data path with the operator on a manual clock, so a minutely schedule runs when a test says so.</summary>
public sealed class ScheduleClusterFixture : BackupClusterFixture
{
    internal FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override TimeProvider Time => Clock;
}
