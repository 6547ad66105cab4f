namespace DataMover.Operator.Tests.Sandbox;

/// <summary>A clock frozen at one instant (timers still run on the system clock), to force same-second decisions.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
