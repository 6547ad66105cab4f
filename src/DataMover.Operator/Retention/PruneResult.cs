using System.Globalization;
using System.Text.Json;

namespace DataMover.Operator.Retention;

/// <summary>
/// The mover's report of a prune-mode run (docs/mover-protocol.md, "Prune mode"): how many folders it deleted and the
/// folders left under the path that have a manifest or a tombstone, newest first.
/// </summary>
internal sealed record PruneResult
{
    public string? Kind { get; init; }
    public int? FormatVersion { get; init; }
    public string? Mode { get; init; }
    public string? Outcome { get; init; }
    public string? Path { get; init; }
    public int? Pruned { get; init; }
    public IReadOnlyList<PruneResultEntry>? Backups { get; init; }
    /// <summary>True when the newest folders filled the termination message and older ones were left out.</summary>
    public bool? Truncated { get; init; }

    /// <summary>The result in <paramref name="message"/> when it proves a prune of <paramref name="path"/>; otherwise null and why not.</summary>
    public static (PruneResult? Result, string? Problem) Verify(string? message, string path)
    {
        if (string.IsNullOrWhiteSpace(message) || !message.TrimStart().StartsWith('{'))
        {
            return (null, "the termination message is not a DataMoverResult");
        }

        PruneResult? result;
        try
        {
            result = JsonSerializer.Deserialize(message, RetentionJsonContext.Default.PruneResult);
        }
        catch (JsonException)
        {
            return (null, "the termination message is not a DataMoverResult");
        }

        if (result is not { Kind: Controllers.MoverResult.ResultKind, Outcome: "Succeeded", Mode: PruneJobBuilder.PruneMode, Backups: not null })
        {
            return (null, "the termination message is not a prune-mode DataMoverResult with outcome Succeeded and a listing");
        }

        return (result.Path ?? "") == path
            ? (result, null)
            : (null, $"the result's path \"{Controllers.PodDiagnostics.Quote(result.Path ?? "")}\" is not the schedule's \"{path}\"");
    }

    /// <summary>The listing as the planner reads it; a start time that does not parse makes the folder no candidate.</summary>
    public IReadOnlyList<BackupListing> Listing() =>
        [.. (Backups ?? []).Where(b => !string.IsNullOrEmpty(b.F)).Select(b => new BackupListing(
            b.F!,
            DateTimeOffset.TryParse(b.T, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var start) ? start : null,
            string.IsNullOrEmpty(b.S) ? null : b.S,
            b.M == true,
            b.X == true))];
}
