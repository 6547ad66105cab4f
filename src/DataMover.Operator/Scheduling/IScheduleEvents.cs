using DataMover.Kube.Models;

namespace DataMover.Operator.Scheduling;

/// <summary>
/// Where the schedule controller reports Kubernetes events. Shaped like the runtime's EventRecorder
/// (Normal/Warning with object, reason, message) so the host can adapt one to the other in a line.
/// </summary>
internal interface IScheduleEvents
{
    void Normal(KubeObject obj, string reason, string message);

    void Warning(KubeObject obj, string reason, string message);
}
