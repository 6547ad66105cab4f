namespace DataMover.Sandbox.ApiServer;

/// <summary>The parts of metav1.DeleteOptions the server honours.</summary>
internal sealed record DeleteRequest(
    string? PropagationPolicy = null,
    bool? OrphanDependents = null,
    long? GracePeriodSeconds = null,
    string? PreconditionUid = null,
    string? PreconditionResourceVersion = null,
    bool DryRun = false);
