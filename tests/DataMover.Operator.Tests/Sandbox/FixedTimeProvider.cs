namespace DataMover.Operator.Tests.Sandbox;

/// <summary>
/// A wall clock frozen at one instant, to force same-second decisions, under an operator whose timers (work-queue
/// backoffs, requeues) still run on the system clock. <see cref="FakeTimeProvider"/> cannot stand in: its timers fire
/// only when a test advances it, so a conflict's backoff requeue in these tests would never come.
/// </summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
