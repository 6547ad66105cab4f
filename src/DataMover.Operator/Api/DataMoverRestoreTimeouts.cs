using DataMover.Kube.Models;

namespace DataMover.Operator.Api;

/// <summary>How long each wait of a restore may last ("90s", "15m", "1h30m"); unset fields take the operator's defaults.</summary>
public sealed record DataMoverRestoreTimeouts : KubeModel
{
    /// <summary>For source.fromDataMover to exist and succeed.</summary>
    public string? SourceReady { get; init; }
    /// <summary>For the target PVC to exist, be Bound (or wait for its first consumer) and be mounted by no running pod.</summary>
    public string? TargetReady { get; init; }
    /// <summary>For the mover pod to start running once its Job exists.</summary>
    public string? MoverStart { get; init; }
    /// <summary>For the mover to finish once its Job exists (the Job's activeDeadlineSeconds).</summary>
    public string? MoverRun { get; init; }
}
