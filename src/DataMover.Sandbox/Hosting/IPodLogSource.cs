namespace DataMover.Sandbox.Hosting;

/// <summary>
/// Supplies pods/log content. The sandbox kubelet implements it; until one is plugged in,
/// logs are empty. Write the log text to the output stream; for follow requests keep
/// writing until the container ends or the cancellation token fires.
/// </summary>
public interface IPodLogSource
{
    Task WriteLogsAsync(PodLogRequest request, Stream output, CancellationToken cancellationToken);
}
