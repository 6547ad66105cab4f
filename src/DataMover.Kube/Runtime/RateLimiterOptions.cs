namespace DataMover.Kube.Runtime;

/// <summary>Settings of <see cref="RateLimiter{TKey}"/>; the defaults are client-go's.</summary>
public sealed record RateLimiterOptions
{
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(5);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(1000);
    public double Qps { get; init; } = 10;
    public int Burst { get; init; } = 100;
}
