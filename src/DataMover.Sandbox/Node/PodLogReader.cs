using System.Text;

namespace DataMover.Sandbox.Node;

/// <summary>
/// Serves container logs from the kubelet's log files with the pods/log options (previous, tailLines, limitBytes,
/// follow). Timestamps are not stored, so <c>timestamps=true</c> is answered without them.
/// </summary>
internal sealed class PodLogReader
{
    private readonly Kubelet _kubelet;

    public PodLogReader(Kubelet kubelet) => _kubelet = kubelet;

    public async Task WriteLogsAsync(string ns, string pod, string container, bool follow, bool previous, long? tailLines, long? limitBytes, Stream output, CancellationToken cancellationToken)
    {
        var runtime = _kubelet.Runtime(ns, pod);
        var state = runtime?.Find(container);
        if (runtime is null || state is null)
        {
            return;
        }

        int restart;
        lock (runtime.Sync)
        {
            restart = state.RestartCount;
        }

        if (previous)
        {
            if (restart == 0)
            {
                return;
            }

            restart--;
            follow = false;
        }

        var path = state.LogPath(runtime.Dir, restart);
        if (!File.Exists(path))
        {
            return;
        }

        long written = 0;
        var limit = limitBytes ?? long.MaxValue;
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (tailLines is { } tail)
        {
            var text = TerminationMessage.Tail(path, (int)Math.Min(tail, int.MaxValue), int.MaxValue);
            var bytes = Encoding.UTF8.GetBytes(tail == 0 ? "" : text.EndsWith('\n') || text.Length == 0 ? text : text + "\n");
            var n = (int)Math.Min(bytes.Length, limit);
            await output.WriteAsync(bytes.AsMemory(0, n), cancellationToken);
            written += n;
            stream.Seek(0, SeekOrigin.End);
        }

        var buffer = new byte[16 * 1024];
        while (written < limit && !cancellationToken.IsCancellationRequested)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, limit - written)), cancellationToken);
            if (read > 0)
            {
                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                await output.FlushAsync(cancellationToken);
                written += read;
                continue;
            }

            bool running;
            lock (runtime.Sync)
            {
                running = state.IsRunning && state.RestartCount == restart;
            }

            if (!follow || !running)
            {
                // One more read catches output written between the last read and the exit.
                if (!follow || await stream.ReadAsync(buffer.AsMemory(0, 1), cancellationToken) == 0)
                {
                    break;
                }

                stream.Seek(-1, SeekOrigin.Current);
                continue;
            }

            await Task.Delay(200, cancellationToken);
        }
    }
}
