namespace DataMover.Sandbox.Hosting;

/// <summary>A pods/log request after the server validated the pod and container.</summary>
public sealed record PodLogRequest(
    string Namespace,
    string Pod,
    string Container,
    string? NodeName,
    bool Follow,
    bool Previous,
    bool Timestamps,
    long? TailLines,
    long? SinceSeconds,
    long? LimitBytes);
