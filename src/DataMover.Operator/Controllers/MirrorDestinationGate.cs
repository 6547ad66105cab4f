using DataMover.Operator.Api;
using Dm = DataMover.Operator.Api.DataMover;

namespace DataMover.Operator.Controllers;

/// <summary>
/// Serializes mirror-mode backups (<c>addTimestampPrefix: false</c>: an rclone sync of the volume onto
/// <c>&lt;bucket&gt;/&lt;path&gt;</c>, deleting everything else there) that share a destination, so two never sync at
/// once and none deletes what another is writing. The destination the operator can know is (namespace, Secret, path):
/// it cannot read Secrets, so two Secrets naming the same bucket are not detected. Paths that are equal or nested
/// (one inside the other) share a destination; siblings do not.
/// </summary>
/// <remarks>
/// Among the active DataMovers of one destination (not Completed, Failed or CleaningUp: by then the mover has
/// finished), one that already passed the gate holds it; otherwise the oldest (creationTimestamp, then name) does.
/// Passing is recorded in the status (phase CreatingPod) and, until the cache shows that, in-process: another worker
/// deciding at the same instant sees it either way.
/// </remarks>
internal sealed class MirrorDestinationGate
{
    /// <summary>DataMover index: mirror-mode DataMovers by "namespace/secretName".</summary>
    public const string Index = "mirror-destination";

    /// <summary>The Progressing reason of a DataMover waiting for its destination.</summary>
    public const string BusyReason = "DestinationBusy";

    /// <summary>The Warning event that mirror mode deletes whatever else is at its destination.</summary>
    public const string DeletesReason = "MirrorModeDeletes";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Dm> _passed = [];

    /// <summary>The index keys of a DataMover: one for a mirror-mode backup, none otherwise.</summary>
    public static IEnumerable<string> Keys(Dm dm) =>
        IsMirror(dm) && SpecOf(dm)?.SecretName is { Length: > 0 } secret ? [dm.Metadata.Namespace + "/" + secret] : [];

    public static bool IsMirror(Dm dm) => SpecOf(dm)?.AddTimestampPrefix != true;

    /// <summary>
    /// The DataMover holding <paramref name="dm"/>'s destination, or null when <paramref name="dm"/> may start its
    /// mover: then it holds the destination from now on. Always null for timestamped backups.
    /// </summary>
    /// <param name="dm">The DataMover about to create its mover Job.</param>
    /// <param name="sameSecret">The cache's DataMovers under <paramref name="dm"/>'s index key.</param>
    public Dm? Enter(Dm dm, IReadOnlyList<Dm> sameSecret)
    {
        if (!IsMirror(dm))
        {
            return null;
        }

        var uid = dm.Metadata.Uid ?? throw new ArgumentException("DataMover has no uid", nameof(dm));
        lock (_lock)
        {
            var key = Keys(dm).FirstOrDefault() ?? "";
            Release(key, sameSecret);
            if (_passed.ContainsKey(uid))
            {
                return null;
            }

            var contenders = sameSecret.Where(o => o.Metadata.Uid != uid && IsActive(o) && SharesDestination(dm, o)).ToList();
            contenders.AddRange(_passed.Values.Where(o => o.Metadata.Uid != uid && SharesDestination(dm, o) && contenders.All(c => c.Metadata.Uid != o.Metadata.Uid)));
            var holder = contenders.Where(o => HasPassed(o) || _passed.ContainsKey(o.Metadata.Uid!)).OrderBy(o => o, Seniority.Instance).FirstOrDefault()
                ?? contenders.Where(o => Seniority.Instance.Compare(o, dm) < 0).OrderBy(o => o, Seniority.Instance).FirstOrDefault();
            if (holder is null)
            {
                _passed[uid] = dm;
            }

            return holder;
        }
    }

    /// <summary>The waiters to wake when <paramref name="changed"/> changes or goes: the others of its destination key.</summary>
    public static IEnumerable<Dm> Neighbours(Dm changed, Func<string, IReadOnlyList<Dm>> byKey) =>
        Keys(changed).SelectMany(byKey).Where(o => o.Metadata.Uid != changed.Metadata.Uid && o.Status?.Phase == DataMoverPhase.ClonedPvcReady);

    /// <summary>The Progressing message of a waiter; it names only the holder, so the holder's progress is not a new event each time.</summary>
    public static string BusyMessage(Dm dm, Dm holder) =>
        $"mirror destination {Describe(dm)} is in use by DataMover {holder.Metadata.Name}; "
        + "waiting for it to finish before syncing, as two syncs would delete each other's files";

    /// <summary>The <see cref="DeletesReason"/> warning of a mirror-mode DataMover.</summary>
    public static string DeletesMessage(Dm dm)
    {
        var spec = SpecOf(dm);
        var where = string.IsNullOrEmpty(spec?.Path) ? "the root of the bucket" : $"path {spec.Path}/ of the bucket";
        return $"addTimestampPrefix is false (mirror mode): the mover syncs PVC {spec?.SourcePvc} onto {where} named by Secret {spec?.SecretName} "
            + "and deletes every other object there, including earlier backups; set addTimestampPrefix: true to keep each backup in its own folder";
    }

    private static string Describe(Dm dm)
    {
        var spec = SpecOf(dm);
        return $"(Secret {spec?.SecretName}, path {(string.IsNullOrEmpty(spec?.Path) ? "/" : spec.Path + "/")})";
    }

    private static DataMoverSpec? SpecOf(Dm dm) => dm.Status?.AcceptedSpec ?? dm.Spec;

    private static bool SharesDestination(Dm a, Dm b) =>
        IsMirror(b)
        && a.Metadata.Namespace == b.Metadata.Namespace
        && SpecOf(a)?.SecretName == SpecOf(b)?.SecretName
        && BackupFolderPlanner.Nests(BucketPath.Normalize(SpecOf(a)?.Path), BucketPath.Normalize(SpecOf(b)?.Path));

    /// <summary>Could still sync: not finished, and not past its mover (CleaningUp only deletes the clone).</summary>
    private static bool IsActive(Dm dm) =>
        !DataMoverPhase.IsTerminal(dm.Status?.Phase) && dm.Status?.Phase != DataMoverPhase.CleaningUp;

    private static bool HasPassed(Dm dm) => dm.Status?.Phase == DataMoverPhase.CreatingPod;

    /// <summary>Drops the passes of <paramref name="key"/> the cache now answers for: past the gate in status, finished, or deleted.</summary>
    private void Release(string key, IReadOnlyList<Dm> sameKey)
    {
        foreach (var (uid, passed) in _passed.ToList())
        {
            if (Keys(passed).FirstOrDefault() != key)
            {
                continue;
            }

            var current = sameKey.FirstOrDefault(o => o.Metadata.Uid == uid);
            if (current is null || HasPassed(current) || !IsActive(current))
            {
                _passed.Remove(uid);
            }
        }
    }

    /// <summary>Oldest first, by creationTimestamp, then name (then uid, so the order is total).</summary>
    private sealed class Seniority : IComparer<Dm>
    {
        public static readonly Seniority Instance = new();

        public int Compare(Dm? x, Dm? y)
        {
            var byTime = Nullable.Compare(x?.Metadata.CreationTimestamp, y?.Metadata.CreationTimestamp);
            if (byTime != 0)
            {
                return byTime;
            }

            var byName = string.CompareOrdinal(x?.Metadata.Name, y?.Metadata.Name);
            return byName != 0 ? byName : string.CompareOrdinal(x?.Metadata.Uid, y?.Metadata.Uid);
        }
    }
}
