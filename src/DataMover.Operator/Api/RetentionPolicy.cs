using DataMover.Kube.Models;

namespace DataMover.Operator.Api;

/// <summary>
/// Which of a schedule's complete backups to keep, with restic's <c>forget --keep-*</c> semantics: each rule keeps the
/// newest backup of each of its most recent N periods (hours, days, ...), and a backup kept by any rule is kept. The
/// newest complete backup is always kept. Needs <c>addTimestampPrefix: true</c> so that each run has a folder of its own.
/// </summary>
public sealed record RetentionPolicy : KubeModel
{
    /// <summary>The N newest backups.</summary>
    public int? KeepLast { get; init; }
    /// <summary>The newest backup of each of the N most recent hours that have one.</summary>
    public int? KeepHourly { get; init; }
    /// <summary>The newest backup of each of the N most recent days that have one.</summary>
    public int? KeepDaily { get; init; }
    /// <summary>The newest backup of each of the N most recent ISO weeks that have one.</summary>
    public int? KeepWeekly { get; init; }
    /// <summary>The newest backup of each of the N most recent months that have one.</summary>
    public int? KeepMonthly { get; init; }
    /// <summary>The newest backup of each of the N most recent years that have one.</summary>
    public int? KeepYearly { get; init; }
    /// <summary>List what a prune would delete (status.retention.wouldPrune) and delete nothing.</summary>
    public bool? DryRun { get; init; }
}
