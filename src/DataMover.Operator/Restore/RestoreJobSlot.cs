using DataMover.Operator.Api;
using DataMover.Operator.Naming;

namespace DataMover.Operator.Restore;

/// <summary>
/// Where a restore's status records the name of one Job it owns (the restore Job or the inspect Job), and the
/// restore's own fallback name for it (stable across restarts) when someone else's Job holds the plain one.
/// </summary>
internal sealed class RestoreJobSlot
{
    public static readonly RestoreJobSlot Restore = new(
        "restore Job",
        s => s.JobName!,
        (s, name) => s with { JobName = name },
        r => RestoreJobNamer.Name(r.Metadata.Name!, CloneNamer.DisambiguatorFor(r.Metadata.Uid!)));

    public static readonly RestoreJobSlot Inspect = new(
        "inspect Job",
        s => s.InspectJobName!,
        (s, name) => s with { InspectJobName = name },
        r => RestoreJobNamer.InspectName(r.Metadata.Name!, CloneNamer.DisambiguatorFor(r.Metadata.Uid!)));

    private readonly Func<DataMoverRestoreStatus, string> _recorded;
    private readonly Func<DataMoverRestoreStatus, string, DataMoverRestoreStatus> _record;
    private readonly Func<DataMoverRestore, string> _fallback;

    private RestoreJobSlot(string noun, Func<DataMoverRestoreStatus, string> recorded, Func<DataMoverRestoreStatus, string, DataMoverRestoreStatus> record, Func<DataMoverRestore, string> fallback)
    {
        Noun = noun;
        _recorded = recorded;
        _record = record;
        _fallback = fallback;
    }

    /// <summary>For messages: "restore Job", "inspect Job".</summary>
    public string Noun { get; }

    public string Recorded(DataMoverRestoreStatus status) => _recorded(status);

    public DataMoverRestoreStatus Record(DataMoverRestoreStatus status, string name) => _record(status, name);

    public string Fallback(DataMoverRestore restore) => _fallback(restore);
}
