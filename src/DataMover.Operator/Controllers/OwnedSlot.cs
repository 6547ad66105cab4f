using DataMover.Operator.Api;
using DataMover.Operator.Naming;
using Dm = DataMover.Operator.Api.DataMover;

namespace DataMover.Operator.Controllers;

/// <summary>
/// Where a DataMover's status records the name of one object it owns, and the DataMover's own fallback names for
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
        (dm, disambiguator) => CloneNamer.Name(
            (dm.Status!.AcceptedSpec ?? dm.Spec!).SourcePvc!,
            dm.Status.PhaseStartTime ?? dm.Status.StartTime ?? DateTimeOffset.UnixEpoch,
            disambiguator));

    public static readonly OwnedSlot Snapshot = new(
        "Snapshot",
        "VolumeSnapshot",
        "volumesnapshots.snapshot.storage.k8s.io",
        s => s.SnapshotName!,
        (s, name) => s with { SnapshotName = name },
        (dm, disambiguator) => CloneNamer.SnapshotName(
            (dm.Status!.AcceptedSpec ?? dm.Spec!).SourcePvc!,
            dm.Status.PhaseStartTime ?? dm.Status.StartTime ?? DateTimeOffset.UnixEpoch,
            disambiguator));

    public static readonly OwnedSlot Job = new(
        "Job",
        "mover Job",
        "jobs.batch",
        s => s.JobName!,
        (s, name) => s with { JobName = name },
        (dm, disambiguator) => JobNamer.Name(dm.Metadata.Name!, disambiguator));

    private readonly Func<DataMoverStatus, string> _recorded;
    private readonly Func<DataMoverStatus, string, DataMoverStatus> _record;
    private readonly Func<Dm, string, string> _disambiguated;

    private OwnedSlot(string kind, string noun, string resource, Func<DataMoverStatus, string> recorded, Func<DataMoverStatus, string, DataMoverStatus> record, Func<Dm, string, string> disambiguated)
    {
        Kind = kind;
        Noun = noun;
        Resource = resource;
        _recorded = recorded;
        _record = record;
        _disambiguated = disambiguated;
    }

    /// <summary>For messages and reasons: "Clone", "Job".</summary>
    public string Kind { get; }

    /// <summary>For messages: "cloned PVC", "mover Job".</summary>
    public string Noun { get; }

    /// <summary>For refused writes: the API resource, e.g. "jobs.batch".</summary>
    public string Resource { get; }

    public string Recorded(DataMoverStatus status) => _recorded(status);

    public DataMoverStatus Record(DataMoverStatus status, string name) => _record(status, name);

    /// <summary>
    /// The name to try after <paramref name="taken"/> was found to be someone else's: the DataMover's next fallback
    /// (<see cref="CloneNamer.DisambiguatorsFor"/>), or null when <paramref name="taken"/> was its last.
    /// </summary>
    public string? FallbackAfter(Dm dm, string taken)
    {
        var names = CloneNamer.DisambiguatorsFor(dm.Metadata.Uid!).Select(d => _disambiguated(dm, d)).ToList();
        var index = names.IndexOf(taken);
        return index + 1 < names.Count ? names[index + 1] : null;
    }
}
