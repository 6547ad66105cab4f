namespace DataMover.Kube.Client;

/// <summary>Query parameters of a watch request, plus the client-side liveness guard.</summary>
public sealed record WatchOptions
{
    /// <summary>Changes after this version; null for the current state as synthetic ADDED events first.</summary>
    public string? ResourceVersion { get; init; }
    public string? LabelSelector { get; init; }
    public string? FieldSelector { get; init; }
    public bool AllowWatchBookmarks { get; init; } = true;
    /// <summary>Server-side end of the stream.</summary>
    public int? TimeoutSeconds { get; init; }
    /// <summary>
    /// A stream that delivers nothing (not even a bookmark) for this long is abandoned and the enumeration
    /// ends, so the caller re-watches; a half-open TCP connection otherwise hangs forever.
    /// </summary>
    public TimeSpan SilenceTimeout { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Called once the server has accepted the watch (2xx headers), before any event arrives.</summary>
    public Action? OnEstablished { get; init; }
}
