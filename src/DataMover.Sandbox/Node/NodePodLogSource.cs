using DataMover.Sandbox.Hosting;

namespace DataMover.Sandbox.Node;

/// <summary>Answers the API server's pods/log requests from the in-process node agent's log files.</summary>
internal sealed class NodePodLogSource : IPodLogSource
{
    private readonly NodeAgent _agent;

    public NodePodLogSource(NodeAgent agent) => _agent = agent;

    public Task WriteLogsAsync(PodLogRequest request, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _agent.WriteLogsAsync(request.Namespace, request.Pod, request.Container, request.Follow, request.Previous, request.TailLines, request.LimitBytes, output, cancellationToken);
    }
}
