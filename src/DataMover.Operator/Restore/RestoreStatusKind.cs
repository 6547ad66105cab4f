using System.Text.Json.Serialization.Metadata;
using DataMover.Kube.Client;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;
using DataMover.Operator.Metrics;

namespace DataMover.Operator.Restore;

/// <summary>A restore's status and the metrics its phase changes count (docs/metrics.md).</summary>
internal sealed class RestoreStatusKind(DataMoverMetrics metrics, TimeProvider time) : IStatusKind<DataMoverRestore, DataMoverRestoreStatus>
{
    public string Kind => RestoreLabels.Kind;

    public ResourceType<DataMoverRestore> Resource => DataMoverResources.Restores;

    public JsonTypeInfo<DataMoverRestoreStatus> StatusJson => OperatorJsonContext.Default.DataMoverRestoreStatus;

    public DataMoverRestoreStatus? StatusOf(DataMoverRestore obj) => obj.Status;

    public DataMoverRestore WithStatus(DataMoverRestore obj, DataMoverRestoreStatus status) => obj with { Status = status };

    public string PhaseOf(DataMoverRestoreStatus? status) => status?.Phase ?? RestorePhase.Pending;

    public string Label(string phase) => RestorePhase.Label(phase);

    public void CountWarning(string reason, string phase, string ns) => metrics.RestoreErrors.WithLabels(reason, phase, ns).Inc();

    public void CountTransition(DataMoverRestore obj, DataMoverRestoreStatus next, string previous, string current)
    {
        var ns = obj.Metadata.Namespace!;
        var failed = current == RestorePhase.Failed;
        metrics.RestoreOperations.WithLabels(RestorePhase.Label(previous), failed ? DataMoverMetrics.Failure : DataMoverMetrics.Success, ns).Inc();
        if (!RestorePhase.IsTerminal(current))
        {
            metrics.RestoreOperations.WithLabels(RestorePhase.Label(current), DataMoverMetrics.Started, ns).Inc();
            return;
        }

        var since = next.StartTime ?? obj.Metadata.CreationTimestamp;
        if (since is { } start)
        {
            metrics.RestoreDuration.WithLabels(failed ? DataMoverMetrics.Failure : DataMoverMetrics.Success, ns).Observe(Math.Max(0, (time.GetUtcNow() - start).TotalSeconds));
        }
    }
}
