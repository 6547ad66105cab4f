using DataMover.Operator.Api;
using Dm = DataMover.Operator.Api.DataMover;

namespace DataMover.Operator.Controllers;

/// <summary>
/// Decides timestamped backups' folders so that no two DataMovers share one, with several workers deciding at once.
/// The informer cache shows the folders other DataMovers recorded, but not one another worker has just written: each
/// decision is therefore also claimed here, in-process (the operator is a leader-elected singleton), until the cache
/// shows it recorded. A restart loses no claim that matters: the controllers start only once the cache has synced, so
/// every folder recorded before the restart is in it.
/// </summary>
/// <remarks>
/// The operator cannot read Secrets, so it cannot tell which bucket a DataMover writes to: every DataMover it watches,
/// in any namespace, counts as a possible neighbour. Only the path and folder are compared.
/// </remarks>
internal sealed class FolderClaims
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Destination> _claims = [];

    /// <summary>Claims not yet seen recorded in the cache, for tests and diagnostics.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _claims.Count;
            }
        }
    }

    /// <summary>
    /// The folder for <paramref name="dm"/> under <paramref name="path"/>, claimed until <paramref name="cached"/>
    /// (the cache's DataMovers, all namespaces) shows it recorded. Deciding again for the same DataMover replaces its
    /// earlier claim (a status write that failed is retried with a fresh decision).
    /// </summary>
    public string Decide(Dm dm, string path, DateTimeOffset now, IReadOnlyList<Dm> cached)
    {
        var uid = dm.Metadata.Uid ?? throw new ArgumentException("DataMover has no uid", nameof(dm));
        lock (_lock)
        {
            Release(cached);
            var others = new List<Destination>();
            foreach (var other in cached)
            {
                if (other.Metadata.Uid != uid && Recorded(other) is { } destination)
                {
                    others.Add(destination);
                }
            }

            others.AddRange(_claims.Where(c => c.Key != uid).Select(c => c.Value));
            var folder = BackupFolderPlanner.Choose(now, uid, candidate => others.Any(o => BackupFolderPlanner.Overlaps(o.Path, o.Folder, path, candidate)));
            _claims[uid] = new Destination(path, folder);
            return folder;
        }
    }

    /// <summary>The timestamped folder <paramref name="dm"/> recorded, if any (mirror mode records "": not a folder).</summary>
    private static Destination? Recorded(Dm dm) =>
        dm.Status?.DestinationPrefix is { Length: > 0 } folder
            ? new Destination(BucketPath.Normalize(dm.Status.AcceptedSpec?.Path ?? dm.Spec?.Path), folder)
            : null;

    /// <summary>Drops the claims the cache now answers for: recorded, ended without recording, or deleted.</summary>
    private void Release(IReadOnlyList<Dm> cached)
    {
        if (_claims.Count == 0)
        {
            return;
        }

        var byUid = new Dictionary<string, Dm>();
        foreach (var dm in cached)
        {
            if (dm.Metadata.Uid is { } uid)
            {
                byUid[uid] = dm;
            }
        }

        foreach (var uid in _claims.Keys.ToList())
        {
            if (!byUid.TryGetValue(uid, out var dm) || dm.Status?.DestinationPrefix is not null || DataMoverPhase.IsTerminal(dm.Status?.Phase))
            {
                _claims.Remove(uid);
            }
        }
    }

    private sealed record Destination(string Path, string Folder);
}
