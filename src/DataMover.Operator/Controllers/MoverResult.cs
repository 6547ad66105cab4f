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
}
