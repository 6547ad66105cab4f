namespace DataMover.Kube.Runtime;

/// <summary>What an <see cref="Informer{T}"/> watches and how it recovers.</summary>
public sealed record InformerOptions
{
    /// <summary>Namespace to watch; null for all namespaces (or a cluster-scoped type).</summary>
    public string? Namespace { get; init; }
    public string? LabelSelector { get; init; }
    public string? FieldSelector { get; init; }
    /// <summary>Items per list page.</summary>
    public int PageSize { get; init; } = 500;
    /// <summary>Server-side watch timeout; randomised up to twice this, like client-go, so watches do not reconnect in step.</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>A watch silent this long (no event, no bookmark) is abandoned and re-established.</summary>
    public TimeSpan? SilenceTimeout { get; init; }
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(800);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);
}
