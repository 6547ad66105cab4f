using DataMover.Operator.Api;
using DataMover.Operator.Controllers;

namespace DataMover.Operator.Restore;

/// <summary>The bound on each wait of a restore: spec.timeouts over the operator's backup defaults.</summary>
internal sealed record RestoreTimeouts(TimeSpan SourceReady, TimeSpan TargetReady, TimeSpan MoverStart, TimeSpan MoverRun)
{
    /// <summary>
    /// The operator's defaults with <paramref name="spec"/> over them. A target PVC is bounded like a clone (both wait
    /// for a provisioner); a DataMover source like a backup's source PVC.
    /// </summary>
    public static RestoreTimeouts Resolve(BackupTimeouts defaults, DataMoverRestoreTimeouts? spec, out IReadOnlyList<string> errors)
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

        var resolved = new RestoreTimeouts(
            Pick("sourceReady", spec?.SourceReady, defaults.SourceReady),
            Pick("targetReady", spec?.TargetReady, defaults.CloneReady),
            Pick("moverStart", spec?.MoverStart, defaults.MoverStart),
            Pick("moverRun", spec?.MoverRun, defaults.MoverRun));
        errors = problems;
        return resolved;
    }
}
