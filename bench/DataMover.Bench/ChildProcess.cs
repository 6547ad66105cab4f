using System.Diagnostics;
using System.Text.RegularExpressions;

namespace DataMover.Bench;

/// <summary>
/// A process the bench started (sandbox, s3rver, operator): its output goes to a log file, lines can be awaited, and
/// <see cref="DisposeAsync"/> kills it with its children.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly List<(Regex Pattern, TaskCompletionSource<Match> Found)> _waiters = [];
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(string name, Process process, string logPath)
    {
        Name = name;
        _process = process;
        LogPath = logPath;
        _log = new StreamWriter(logPath) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Exited += (_, _) => _exited.TrySetResult();
    }

    public string Name { get; }

    public string LogPath { get; }

    /// <summary>The time the bench asked the kernel to start it (for start-to-ready).</summary>
    public long StartedAt { get; private set; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public ProcessSample Sample() => ProcessSample.Of(_process.Id);

    public static ChildProcess Start(string name, ProcessStartInfo startInfo, string logPath)
    {
        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        startInfo.UseShellExecute = false;
        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var child = new ChildProcess(name, process, logPath);
        child.StartedAt = Stopwatch.GetTimestamp();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>The first line (from now on) matching <paramref name="pattern"/>; fails if the process exits first.</summary>
    public async Task<Match> WaitForLineAsync(Regex pattern, TimeSpan timeout, CancellationToken ct)
    {
        var found = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            _waiters.Add((pattern, found));
        }

        var done = await Task.WhenAny(found.Task, _exited.Task, Task.Delay(timeout, ct));
        if (done == found.Task)
        {
            return await found.Task;
        }

        ct.ThrowIfCancellationRequested();
        throw new BenchException(done == _exited.Task
            ? $"{Name} exited before it was ready (see {LogPath})"
            : $"{Name} was not ready after {timeout.TotalSeconds:0} s (see {LogPath})");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            // Already gone, or stuck in the kernel: nothing more the bench can do.
        }

        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            try
            {
                _log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // Output after the bench stopped the process.
            }
        }

        lock (_waiters)
        {
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Pattern.Match(line) is { Success: true } match)
                {
                    _waiters[i].Found.TrySetResult(match);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }
}
