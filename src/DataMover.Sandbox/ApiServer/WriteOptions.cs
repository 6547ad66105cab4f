namespace DataMover.Sandbox.ApiServer;

/// <summary>Per-request write settings: dryRun, fieldValidation, and collected Warning headers.</summary>
internal sealed class WriteOptions
{
    public bool DryRun { get; init; }

    /// <summary>Strict, Warn (the default) or Ignore.</summary>
    public string FieldValidation { get; init; } = "Warn";

    public List<string> Warnings { get; } = [];

    /// <summary>Server-side apply writes metadata.managedFields itself; other writes keep the stored ones.</summary>
    public bool WritesManagedFields { get; init; }

    /// <summary>Who writes (fieldManager or the User-Agent's product); null for the server's own writes, which are not tracked.</summary>
    public string? FieldManager { get; init; }

    /// <summary>The requesting user for admission (owner references, RBAC escalation); null for the server's own writes.</summary>
    public Auth.UserInfo? User { get; init; }

    public static WriteOptions Internal { get; } = new() { FieldValidation = "Ignore" };
}
