namespace DataMover.Sandbox.Node;

/// <summary>The external-snapshotter's finalizers and annotation (pkg/utils/util.go), under their real names.</summary>
internal static class SnapshotFinalizers
{
    /// <summary>On a VolumeSnapshot bound to a content whose deletionPolicy is Delete: held until that content is gone.</summary>
    public const string SnapshotBound = "snapshot.storage.kubernetes.io/volumesnapshot-bound-protection";

    /// <summary>On every live VolumeSnapshot: held on delete while a PVC is still being restored from it.</summary>
    public const string SnapshotAsSource = "snapshot.storage.kubernetes.io/volumesnapshot-as-source-protection";

    /// <summary>On a bound VolumeSnapshotContent: only the sidecar's delete path removes it.</summary>
    public const string ContentBound = "snapshot.storage.kubernetes.io/volumesnapshotcontent-bound-protection";

    /// <summary>On a PVC while a snapshot of it is being cut (some snapshot of it is not readyToUse yet).</summary>
    public const string PvcAsSource = "snapshot.storage.kubernetes.io/pvc-as-source-protection";

    /// <summary>Set on the content by the common controller once its snapshot is being deleted; the sidecar acts only then.</summary>
    public const string BeingDeletedAnnotation = "snapshot.storage.kubernetes.io/volumesnapshot-being-deleted";
}
