using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace DataMover.EndToEnd.Tests.Support;

/// <summary>
/// A local test server's combined stdout and stderr, and the port from the line saying it listens: servers started
/// on port 0 print the port the kernel picked, so there is no port race. An exit before that line fails the wait.
/// </summary>
internal sealed class ServerProcessOutput
{
    private readonly StringBuilder _text = new();
    private readonly TaskCompletionSource<int> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Regex _listeningLine;

    /// <param name="process">Not started yet, with <see cref="Process.EnableRaisingEvents"/> on.</param>
    /// <param name="name">The server, for the error message.</param>
    /// <param name="listeningLine">Matches the line that announces the port, in a group named <c>port</c>.</param>
    public ServerProcessOutput(Process process, string name, Regex listeningLine)
    {
        _listeningLine = listeningLine;
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Exited += (_, _) => _listening.TrySetException(new InvalidOperationException($"{name} exited during startup:\n{Text}"));
    }

    /// <summary>The port the server listens on, once it said so.</summary>
    public Task<int> Port => _listening.Task;

    public string Text
    {
        get
        {
            lock (_text)
            {
                return _text.ToString();
            }
        }
    }

    /// <summary>Kills the server and its children, if still running.</summary>
    public static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already exited between the check and the kill.
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_text)
        {
            _text.AppendLine(line);
        }

        var match = _listeningLine.Match(line);
        if (match.Success)
        {
            _listening.TrySetResult(int.Parse(match.Groups["port"].Value, CultureInfo.InvariantCulture));
        }
    }
}
