using System.Text.Json;

namespace DataMover.Operator.Controllers;

/// <summary>
/// The mover's structured report of a successful run (docs/mover-protocol.md), read from its termination message.
/// Only a result that parses and matches what the operator asked for counts as proof of success.
/// </summary>
internal sealed record MoverResult
{
    public const string ResultKind = "DataMoverResult";

    public string? Kind { get; init; }
    public int? FormatVersion { get; init; }
    public string? Mode { get; init; }
    public string? Outcome { get; init; }
    public string? Path { get; init; }
    public string? Folder { get; init; }
    public string? Destination { get; init; }
    /// <summary>Inspect mode: the backed-up PVC's capacity from the manifest ("" when it records none).</summary>
    public string? SourceCapacity { get; init; }
    public long? Files { get; init; }
    public long? Bytes { get; init; }
    public string? Verified { get; init; }
    public IReadOnlyList<string>? IgnoredSecretKeys { get; init; }
    public string? Message { get; init; }

    /// <summary>The result in <paramref name="message"/>, or null when it is not one (plain text, other JSON, truncated).</summary>
    public static MoverResult? Parse(string? message)
    {
        if (string.IsNullOrWhiteSpace(message) || !message.TrimStart().StartsWith('{'))
        {
            return null;
        }

        try
        {
            var result = JsonSerializer.Deserialize(message, MoverResultJsonContext.Default.MoverResult);
            return result is { Kind: ResultKind, Outcome: "Succeeded" } ? result : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The result in <paramref name="message"/> when it proves a <paramref name="mode"/> run that wrote
    /// <paramref name="path"/>/<paramref name="folder"/>; otherwise null and what was missing (the mover's own text
    /// quoted only through <see cref="PodDiagnostics.Quote"/>).
    /// </summary>
    public static (MoverResult? Result, string? Problem) Verify(string? message, string mode, string path, string folder)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            return (null, "the mover exited 0 without a termination message (a DataMoverResult is required)");
        }

        if (Parse(message) is not { } result)
        {
            return (null, $"the mover exited 0, but its termination message is not a DataMoverResult with outcome Succeeded: \"{PodDiagnostics.Quote(message)}\"");
        }

        if (result.Mode != mode)
        {
            return (null, $"the mover reported mode \"{PodDiagnostics.Quote(result.Mode ?? "")}\", not {mode}");
        }

        if ((result.Path ?? "") != path || (result.Folder ?? "") != folder)
        {
            return (null, $"the mover reported path \"{PodDiagnostics.Quote(result.Path ?? "")}\" and folder \"{PodDiagnostics.Quote(result.Folder ?? "")}\", " +
                $"not the recorded path \"{path}\" and folder \"{folder}\"");
        }

        return (result, null);
    }
}
