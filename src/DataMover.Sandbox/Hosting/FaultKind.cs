namespace DataMover.Sandbox.Hosting;

/// <summary>What an injected fault does to one request.</summary>
internal enum FaultKind
{
    None,
    InternalError,
    TooManyRequests,
    Conflict,
    ServiceUnavailable,
    Timeout,
    ConnectionReset,
    Hang,
    TooLargeResourceVersion,
}
