using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;
using Dm = DataMover.Operator.Api.DataMover;

namespace DataMover.Operator.Tests.Folders;

/// <summary>DataMovers as the cache shows them, for the folder planner and the mirror gate.</summary>
internal static class FolderTestObjects
{
    public static readonly DateTimeOffset Created = new(2026, 11, 30, 8, 57, 4, TimeSpan.Zero);

    public static Dm Mover(string name, string uid, string? path = null, bool timestamped = true, string secret = "s3", string ns = "apps", DateTimeOffset? created = null) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = ns, Uid = uid, CreationTimestamp = created ?? Created },
        Spec = new DataMoverSpec { SourcePvc = name + "-data", SecretName = secret, Path = path, AddTimestampPrefix = timestamped },
    };

    /// <summary><paramref name="dm"/> once its acceptance is recorded: phase, accepted spec and folder.</summary>
    public static Dm Accepted(Dm dm, string folder, string phase = DataMoverPhase.CreatingClonedPvc) =>
        dm with { Status = new DataMoverStatus { Phase = phase, AcceptedSpec = dm.Spec, DestinationPrefix = folder } };

    public static Dm InPhase(Dm dm, string phase) =>
        dm with { Status = (dm.Status ?? new DataMoverStatus { AcceptedSpec = dm.Spec, DestinationPrefix = "" }) with { Phase = phase } };
}
