using DataMover.Kube.Models;

namespace DataMover.Operator.Controllers;

/// <summary>
/// The VolumeSnapshotClass a copyMethod Snapshot backup uses: the one the spec names, else the single class of the
/// source's CSI driver annotated as its default (as the external-snapshotter picks it). Either the class's name or
/// the condition reason and message that say why there is none.
/// </summary>
internal readonly record struct SnapshotClassChoice(string? ClassName, string? Reason, string? Message)
{
    public const string DefaultAnnotation = "snapshot.storage.kubernetes.io/is-default-class";
    public const string NoClassReason = "NoVolumeSnapshotClass";
    public const string NotFoundReason = "VolumeSnapshotClassNotFound";

    public static SnapshotClassChoice For(string? named, string driver, IEnumerable<VolumeSnapshotClass> classes)
    {
        var all = classes.ToList();
        if (!string.IsNullOrEmpty(named))
        {
            return all.Any(c => c.Metadata.Name == named)
                ? new(named, null, null)
                : new(null, NotFoundReason, $"VolumeSnapshotClass \"{named}\" (spec.volumeSnapshotClassName) not found");
        }

        var defaults = all
            .Where(c => c.Driver == driver && c.Metadata.Annotation(DefaultAnnotation) == "true")
            .Select(c => c.Metadata.Name!)
            .Order(StringComparer.Ordinal)
            .ToList();
        return defaults.Count switch
        {
            1 => new(defaults[0], null, null),
            0 => new(null, NoClassReason, $"no VolumeSnapshotClass for CSI driver \"{driver}\" is annotated {DefaultAnnotation}: \"true\"; name one in spec.volumeSnapshotClassName, or the driver does not support snapshots"),
            _ => new(null, NoClassReason, $"CSI driver \"{driver}\" has {defaults.Count} default VolumeSnapshotClasses ({string.Join(", ", defaults)}); name one in spec.volumeSnapshotClassName"),
        };
    }
}
