namespace DataMover.Operator.Api;

/// <summary>The values of <c>spec.copyMethod</c>: how the temporary point-in-time copy of the source is made.</summary>
public static class CopyMethods
{
    /// <summary>A PVC cloned from the source (dataSource PersistentVolumeClaim); the default.</summary>
    public const string Clone = "Clone";

    /// <summary>A VolumeSnapshot of the source, then a PVC restored from it (dataSource VolumeSnapshot).</summary>
    public const string Snapshot = "Snapshot";

    public static bool IsSnapshot(string? copyMethod) => copyMethod == Snapshot;

    /// <summary>Null when <paramref name="copyMethod"/> is usable; otherwise why not.</summary>
    public static string? Problem(string? copyMethod) =>
        copyMethod is null or Clone or Snapshot ? null : $"spec.copyMethod \"{copyMethod}\" is not Clone or Snapshot";
}
