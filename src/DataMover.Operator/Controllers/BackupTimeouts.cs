using DataMover.Operator.Api;

namespace DataMover.Operator.Controllers;

/// <summary>The bound on each wait of a backup: a DataMover's <c>spec.timeouts</c> over the operator's defaults.</summary>
public sealed record BackupTimeouts
{
    public static BackupTimeouts Defaults { get; } = new();

    public TimeSpan SourceReady { get; init; } = TimeSpan.FromMinutes(10);
    public TimeSpan CloneReady { get; init; } = TimeSpan.FromMinutes(30);
    public TimeSpan SnapshotReady { get; init; } = TimeSpan.FromMinutes(30);
    public TimeSpan MoverStart { get; init; } = TimeSpan.FromMinutes(15);
    public TimeSpan MoverRun { get; init; } = TimeSpan.FromHours(12);
    public TimeSpan Cleanup { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>These defaults overridden by the fields <paramref name="spec"/> sets; errors name each unusable field.</summary>
    internal BackupTimeouts With(DataMoverTimeouts? spec, out IReadOnlyList<string> errors)
    {
        var problems = new List<string>();
        TimeSpan Pick(string field, string? text, TimeSpan fallback)
        {
            if (text is null)
            {
                return fallback;
            }

            if (KubeDuration.TryParse(text, out var error) is { } span)
            {
                return span;
            }

            problems.Add($"spec.timeouts.{field}: {error}");
            return fallback;
        }

        var resolved = this with
        {
            SourceReady = Pick("sourceReady", spec?.SourceReady, SourceReady),
            CloneReady = Pick("cloneReady", spec?.CloneReady, CloneReady),
            SnapshotReady = Pick("snapshotReady", spec?.SnapshotReady, SnapshotReady),
            MoverStart = Pick("moverStart", spec?.MoverStart, MoverStart),
            MoverRun = Pick("moverRun", spec?.MoverRun, MoverRun),
            Cleanup = Pick("cleanup", spec?.Cleanup, Cleanup),
        };
        errors = problems;
        return resolved;
    }
}
