using DataMover.Kube.Models;

namespace DataMover.Operator.Events;

/// <summary>Where the controller reports Kubernetes Events; fire-and-forget, never throws.</summary>
internal interface IEventSink
{
    void Normal(KubeObject obj, string reason, string message);

    void Warning(KubeObject obj, string reason, string message);
}
