namespace DataMover.Kube.Runtime;

/// <summary>
/// Whether an informer's cache is current: <see cref="Synced"/> while it has listed and its watch is open;
/// otherwise since when it has not been (<see cref="UnhealthySince"/>) and the last error it met.
/// </summary>
public sealed record InformerHealth(bool Synced, DateTimeOffset? UnhealthySince, string? LastError)
{
    /// <summary>True when the informer has been out of sync for at least <paramref name="limit"/> at <paramref name="now"/>.</summary>
    public bool IsUnhealthyFor(TimeSpan limit, DateTimeOffset now) =>
        !Synced && UnhealthySince is { } since && now - since >= limit;
}
