using DataMover.Operator.Events;
using DataMover.Kube.Models;

namespace DataMover.Operator.Tests.Scheduling;

/// <summary>Keeps the events the controller reports.</summary>
internal sealed class RecordingEvents : IEventSink
{
    private readonly Lock _gate = new();
    private readonly List<(string Type, string Reason, string Message)> _events = [];

    public IReadOnlyList<(string Type, string Reason, string Message)> All
    {
        get
        {
            lock (_gate)
            {
                return _events.ToList();
            }
        }
    }

    public int Count(string reason) => All.Count(e => e.Reason == reason);

    public void Normal(KubeObject obj, string reason, string message)
    {
        lock (_gate)
        {
            _events.Add(("Normal", reason, message));
        }
    }

    public void Warning(KubeObject obj, string reason, string message)
    {
        lock (_gate)
        {
            _events.Add(("Warning", reason, message));
        }
    }
}
