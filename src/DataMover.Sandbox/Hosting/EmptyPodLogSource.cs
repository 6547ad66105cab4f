namespace DataMover.Sandbox.Hosting;

/// <summary>The default log source: no node agent, no output.</summary>
internal sealed class EmptyPodLogSource : IPodLogSource
{
    public Task WriteLogsAsync(PodLogRequest request, Stream output, CancellationToken cancellationToken) => Task.CompletedTask;
}
