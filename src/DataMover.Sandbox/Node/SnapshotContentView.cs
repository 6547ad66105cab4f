using System.Text.Json;
using DataMover.Sandbox.ControlPlane;

namespace DataMover.Sandbox.Node;

/// <summary>The fields of a VolumeSnapshotContent (kept as a <see cref="GenericObject"/>) the snapshot controllers read.</summary>
internal sealed record SnapshotContentView(string Name, string DeletionPolicy, string? SnapshotNamespace, string? SnapshotName, string? SnapshotUid, long? CreationTime, bool Ready)
{
    public string? SnapshotKey => SnapshotNamespace is null || SnapshotName is null ? null : SnapshotNamespace + "/" + SnapshotName;

    public static SnapshotContentView Of(GenericObject content)
    {
        var extra = content.Extra ?? [];
        var spec = extra.TryGetValue("spec", out var s) && s.ValueKind == JsonValueKind.Object ? s : default;
        var status = extra.TryGetValue("status", out var st) && st.ValueKind == JsonValueKind.Object ? st : default;
        var reference = Property(spec, "volumeSnapshotRef");
        return new SnapshotContentView(
            content.Metadata.Name!,
            Text(spec, "deletionPolicy") ?? "Delete",
            Text(reference, "namespace"),
            Text(reference, "name"),
            Text(reference, "uid"),
            Property(status, "creationTime") is { ValueKind: JsonValueKind.Number } time ? time.GetInt64() : null,
            Property(status, "readyToUse") is { ValueKind: JsonValueKind.True });
    }

    private static JsonElement Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : default;

    private static string? Text(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;
}
