namespace DataMover.Kube.Client;

/// <summary>Query parameters of a patch (and server-side apply) request.</summary>
public sealed record PatchOptions
{
    public string? FieldManager { get; init; }
    /// <summary>Server-side apply only: take ownership of conflicting fields.</summary>
    public bool? Force { get; init; }
    public bool DryRun { get; init; }
}
