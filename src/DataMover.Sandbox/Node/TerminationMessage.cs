using System.Text;

namespace DataMover.Sandbox.Node;

/// <summary>
/// The kubelet's termination message rules: the file at terminationMessagePath, at most 4096 bytes; with
/// FallbackToLogsOnError, an empty file and a failed exit, the last 80 lines of the log capped at 2048 bytes.
/// </summary>
internal static class TerminationMessage
{
    public const int MaxFileBytes = 4096;
    public const int MaxLogLines = 80;
    public const int MaxLogBytes = 2048;

    public static string? Read(string? filePath, string? policy, int exitCode, string logPath)
    {
        var message = ReadHead(filePath, MaxFileBytes);
        if (string.IsNullOrEmpty(message) && policy == "FallbackToLogsOnError" && exitCode != 0)
        {
            message = Tail(logPath, MaxLogLines, MaxLogBytes);
        }

        return string.IsNullOrEmpty(message) ? null : message;
    }

    internal static string Tail(string path, int lines, int maxBytes)
    {
        byte[] bytes;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var start = Math.Max(0, stream.Length - (64 * 1024));
            stream.Seek(start, SeekOrigin.Begin);
            using var ms = new MemoryStream();
            stream.CopyTo(ms);
            bytes = ms.ToArray();
        }
        catch (IOException)
        {
            return "";
        }

        var text = Encoding.UTF8.GetString(bytes);
        var all = text.Split('\n');
        var count = text.EndsWith('\n') ? all.Length - 1 : all.Length;
        var tail = string.Join('\n', all.Skip(Math.Max(0, count - lines)));
        var tailBytes = Encoding.UTF8.GetBytes(tail);
        return tailBytes.Length <= maxBytes ? tail : Encoding.UTF8.GetString(tailBytes, tailBytes.Length - maxBytes, maxBytes);
    }

    private static string? ReadHead(string? path, int max)
    {
        if (path is null || !File.Exists(path))
        {
            return null;
        }

        try
        {
            using var stream = File.OpenRead(path);
            var buffer = new byte[max];
            var read = stream.ReadAtLeast(buffer, max, throwOnEndOfStream: false);
            return Encoding.UTF8.GetString(buffer, 0, read);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
