using DataMover.Kube.Models;
using DataMover.Kube.Runtime;

namespace DataMover.Operator.Events;

/// <summary>The controller's event sink backed by the shared <see cref="EventRecorder"/> (aggregates repeats).</summary>
internal sealed class EventRecorderSink(EventRecorder recorder) : IEventSink
{
    public void Normal(KubeObject obj, string reason, string message) => recorder.Normal(obj, reason, message);

    public void Warning(KubeObject obj, string reason, string message) => recorder.Warning(obj, reason, message);
}
