using System.Text;

namespace DataMover.Kube.Runtime;

/// <summary>Event message limits.</summary>
internal static class EventMessage
{
    /// <summary>The API's limit on an event message (events.k8s.io note), in UTF-8 bytes.</summary>
    public const int MaxBytes = 1024;

    private const string Ellipsis = " ...";

    /// <summary>Cuts a message to <see cref="MaxBytes"/> UTF-8 bytes, on a character boundary, marking the cut.</summary>
    public static string Truncate(string message)
    {
        if (Encoding.UTF8.GetByteCount(message) <= MaxBytes)
        {
            return message;
        }

        var budget = MaxBytes - Ellipsis.Length;
        var sb = new StringBuilder();
        var used = 0;
        foreach (var rune in message.EnumerateRunes())
        {
            used += rune.Utf8SequenceLength;
            if (used > budget)
            {
                break;
            }

            sb.Append(rune.ToString());
        }

        return sb.Append(Ellipsis).ToString();
    }
}
