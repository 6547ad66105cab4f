namespace DataMover.Sandbox.ApiServer;

/// <summary>The opaque list continuation: which resourceVersion the first page saw and the last key returned.</summary>
internal sealed record ContinueToken(long ResourceVersion, string StartAfter);
