using DataMover.Operator.Api;
using DataMover.Operator.Naming;
using Dm = DataMover.Operator.Api.DataMover;

namespace DataMover.Operator.Controllers;

/// <summary>
/// Where a DataMover's status records the name of one object it owns, and the DataMover's own fallback name for
/// it (stable across restarts) when someone else's object holds the plain one.
/// </summary>
internal sealed class OwnedSlot
{
    public static readonly OwnedSlot Clone = new(
        "Clone",
        "cloned PVC",
        "persistentvolumeclaims",
        s => s.RestoredPvcName!,
        (s, name) => s with { RestoredPvcName = name },
        dm => CloneNamer.Name(
            (dm.Status!.AcceptedSpec ?? dm.Spec!).SourcePvc!,
            dm.Status.PhaseStartTime ?? dm.Status.StartTime ?? DateTimeOffset.UnixEpoch,
            CloneNamer.DisambiguatorFor(dm.Metadata.Uid!)));

    public static readonly OwnedSlot Snapshot = new(
        "Snapshot",
        "VolumeSnapshot",
        "volumesnapshots.snapshot.storage.k8s.io",
        s => s.SnapshotName!,
        (s, name) => s with { SnapshotName = name },
        dm => CloneNamer.SnapshotName(
            (dm.Status!.AcceptedSpec ?? dm.Spec!).SourcePvc!,
            dm.Status.PhaseStartTime ?? dm.Status.StartTime ?? DateTimeOffset.UnixEpoch,
            CloneNamer.DisambiguatorFor(dm.Metadata.Uid!)));

    public static readonly OwnedSlot Job = new(
        "Job",
        "mover Job",
        "jobs.batch",
        s => s.JobName!,
        (s, name) => s with { JobName = name },
        dm => JobNamer.Name(dm.Metadata.Name!, CloneNamer.DisambiguatorFor(dm.Metadata.Uid!)));

    private readonly Func<DataMoverStatus, string> _recorded;
    private readonly Func<DataMoverStatus, string, DataMoverStatus> _record;
    private readonly Func<Dm, string> _fallback;

    private OwnedSlot(string kind, string noun, string resource, Func<DataMoverStatus, string> recorded, Func<DataMoverStatus, string, DataMoverStatus> record, Func<Dm, string> fallback)
    {
        Kind = kind;
        Noun = noun;
        Resource = resource;
        _recorded = recorded;
        _record = record;
        _fallback = fallback;
    }

    /// <summary>For messages and reasons: "Clone", "Job".</summary>
    public string Kind { get; }

    /// <summary>For messages: "cloned PVC", "mover Job".</summary>
    public string Noun { get; }

    /// <summary>For refused writes: the API resource, e.g. "jobs.batch".</summary>
    public string Resource { get; }

    public string Recorded(DataMoverStatus status) => _recorded(status);

    public DataMoverStatus Record(DataMoverStatus status, string name) => _record(status, name);

    public string Fallback(Dm dm) => _fallback(dm);
}
