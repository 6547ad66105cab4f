using System.Text.Json.Serialization.Metadata;
using DataMover.Kube.Client;
using DataMover.Operator.Api;
using DataMover.Operator.Metrics;
using Dm = DataMover.Operator.Api.DataMover;

namespace DataMover.Operator.Controllers;

/// <summary>A DataMover's status and the metrics its phase changes count (docs/metrics.md).</summary>
internal sealed class DataMoverStatusKind(DataMoverMetrics metrics, TimeProvider time) : IStatusKind<Dm, DataMoverStatus>
{
    public string Kind => "DataMover";

    public ResourceType<Dm> Resource => DataMoverResources.DataMovers;

    public JsonTypeInfo<DataMoverStatus> StatusJson => OperatorJsonContext.Default.DataMoverStatus;

    public DataMoverStatus? StatusOf(Dm obj) => obj.Status;

    public Dm WithStatus(Dm obj, DataMoverStatus status) => obj with { Status = status };

    public string PhaseOf(DataMoverStatus? status) => status?.Phase ?? DataMoverPhase.Pending;

    public string Label(string phase) => DataMoverPhase.Label(phase);

    public void CountWarning(string reason, string phase, string ns) => metrics.Error(reason, phase, ns);

    /// <summary>The phase families and the per-step outcomes docs/metrics.md lists, all derived from the transition.</summary>
    public void CountTransition(Dm obj, DataMoverStatus next, string previous, string current)
    {
        var ns = obj.Metadata.Namespace!;
        var since = obj.Status?.PhaseStartTime ?? obj.Metadata.CreationTimestamp;
        if (since is { } start)
        {
            metrics.PhaseDuration.WithLabels(DataMoverPhase.Label(previous), ns).Observe(Math.Max(0, (time.GetUtcNow() - start).TotalSeconds));
        }

        var failed = current == DataMoverPhase.Failed;
        metrics.Operations.WithLabels(DataMoverPhase.Label(previous), failed ? DataMoverMetrics.Failure : DataMoverMetrics.Success, ns).Inc();
        if (!DataMoverPhase.IsTerminal(current))
        {
            metrics.Operations.WithLabels(DataMoverPhase.Label(current), DataMoverMetrics.Started, ns).Inc();
        }

        metrics.CurrentPhase.WithLabels(obj.Metadata.Name!, ns).Set(DataMoverPhase.Index(current));
        var outcome = failed ? DataMoverMetrics.Failure : DataMoverMetrics.Success;
        switch (previous)
        {
            case DataMoverPhase.CreatingClonedPvc:
                metrics.CloneOperations.WithLabels(outcome, ns).Inc();
                break;
            case DataMoverPhase.CreatingPod:
                metrics.DataSyncs.WithLabels(outcome, ns).Inc();
                break;
            case DataMoverPhase.CleaningUp:
                metrics.Cleanup(outcome, ns);
                break;
        }
    }
}
