namespace DataMover.Kube.Runtime;

/// <summary>How hard an <see cref="EventRecorder"/> tries to deliver an event; the defaults are client-go's broadcaster's.</summary>
public sealed record EventRecorderOptions
{
    /// <summary>Attempts per event for failures the server may get over (5xx, 429, no answer); client-go's maxTriesPerEvent.</summary>
    public int MaxTriesPerEvent { get; init; } = 12;

    /// <summary>Wait between attempts; the first wait is a random fraction of it, so clients do not retry in step after an outage.</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>On dispose, how long queued events may still be sent (each once, no retries) before the rest are dropped.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(3);
}
