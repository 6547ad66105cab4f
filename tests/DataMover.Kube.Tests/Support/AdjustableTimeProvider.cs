namespace DataMover.Kube.Tests.Support;

/// <summary>
/// Real time, except that the wall clock (GetUtcNow) can be shifted; the monotonic clock, timers and delays are
/// the system's. Shows that code measuring intervals ignores wall-clock jumps and skew.
/// </summary>
internal sealed class AdjustableTimeProvider : TimeProvider
{
    public TimeSpan WallClockOffset { get; set; }

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + WallClockOffset;
}
