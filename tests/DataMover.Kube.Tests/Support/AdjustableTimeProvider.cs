namespace DataMover.Kube.Tests.Support;

/// <summary>
/// Real time, except that the wall clock (GetUtcNow) can be shifted; the monotonic clock, timers and delays are
/// the system's. Shows that code measuring intervals ignores wall-clock jumps and skew. Kept beside
/// <see cref="FakeTimeProvider"/> because the leader-election test needs a skewed wall clock under real timers, and
/// a fake's timers fire only when a test advances it.
/// </summary>
internal sealed class AdjustableTimeProvider : TimeProvider
{
    public TimeSpan WallClockOffset { get; set; }

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + WallClockOffset;
}
