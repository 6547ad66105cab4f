using DataMover.Kube.Models;
using DataMover.Kube.Runtime;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;

namespace DataMover.Operator.Restore;

/// <summary>
/// The Inspecting phase: a new target PVC without a size, restored from secretName + path, is sized from the
/// backup's manifest, which only the mover can read. An inspect Job (no volume) resolves the folder and reports the
/// manifest; the folder and the size are recorded, the Job is removed, and the restore goes on with that folder fixed,
/// so "latest" cannot move between inspection and restore.
/// </summary>
internal sealed partial class RestoreReconciler
{
    private async Task<ReconcileResult> EnsureInspectionAsync(DataMoverRestore restore, CancellationToken ct)
    {
        var ns = restore.Metadata.Namespace!;
        var status = restore.Status!;
        var timeouts = Timeouts(restore);
        if (_inspectJobs.Get(ns, status.InspectJobName!) is null && !_inspectJobs.OwnedBy(restore).Any() && await EnsureServiceAccountAsync(restore, ct) is { } refused)
        {
            return refused;
        }

        IReadOnlyList<string> dropped = [];
        var (job, next) = await EnsureJobObjectAsync(restore, _inspectJobs, RestoreJobSlot.Inspect, name =>
        {
            var built = RestoreInspectJobBuilder.Build(restore, name, _defaults.MoverImage, timeouts.MoverRun, PodSettings(restore));
            dropped = built.Dropped;
            return built.Job;
        }, ct);
        if (job is null)
        {
            return next.Result;
        }

        if (next.Outcome == StepOutcome.Created)
        {
            _events.Normal(next.Restore, "InspectJobCreated", $"Created inspect Job {job.Metadata.Name} to read the size of {RestoreStatusTransitions.What(status)} from its manifest");
            if (dropped.Count > 0)
            {
                _events.Warning(next.Restore, "EnvVarIgnored", $"spec.additionalEnv entries {string.Join(", ", dropped)} are set by the operator and were ignored");
            }
        }

        return await ObserveInspectJobAsync(next.Restore, job, ct);
    }

    private async Task<ReconcileResult> ObserveInspectJobAsync(DataMoverRestore restore, Job job, CancellationToken ct)
    {
        var status = restore.Status!;
        var timeouts = Timeouts(restore);
        var jobName = job.Metadata.Name!;
        var pods = job.Metadata.Uid is { } uid ? _caches.Pods.ByIndex(IndexFuncs.ControllerUid, uid) : [];

        if (JobCondition(job, "Complete") is not null)
        {
            var message = PodDiagnostics.TerminationMessage(pods, failed: false)
                ?? PodDiagnostics.TerminationMessage(await LivePodsAsync(restore, job, ct), failed: false);
            var result = MoverResult.Parse(message);
            if (RestoreResultCheck.WhyNot(result, status, RestoreInspectJobBuilder.InspectMode) is { } why)
            {
                return await FailAsync(restore, "InspectionFailed",
                    $"inspect Job {jobName} exited 0 but {why}; the backup's size is unknown: {Quote(message)}", ct);
            }

            var (size, basis, problem) = RestoreInspection.SizeOf(result!);
            if (size is null)
            {
                return await FailAsync(restore, "InspectionFailed",
                    $"inspect Job {jobName} gave no usable size ({problem}); set target.pvc.size: {Quote(message)}", ct);
            }

            var spec = status.AcceptedSpec!;
            var folder = result!.Folder ?? "";
            var inspected = status with
            {
                AcceptedSpec = spec with { Target = spec.Target! with { Pvc = spec.Target.Pvc! with { Size = size } } },
                // From here on the mover is told this folder, not "latest": a newer backup cannot slip in.
                RequestedFolder = folder,
                Folder = folder,
            };
            var what = RestoreStatusTransitions.What(inspected);
            var done = $"{what} is {result.Files?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} files, {result.Bytes?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} bytes; new PVC {status.TargetPvc} gets {size} ({basis})";
            var next = RestoreStatusTransitions.Advance(inspected, restore, _time.GetUtcNow(), RestorePhase.PreparingTarget, "PreparingTarget", done);
            var written = await _status.CommitAsync(restore, next, Notice.Normal("InspectionSucceeded", done), ct);
            // The inspect Job is removed by the next step, also after a restart between this write and the delete.
            return await EnsureTargetAsync(written, ct);
        }

        if (JobCondition(job, "Failed") is { } failed)
        {
            var message = PodDiagnostics.TerminationMessage(pods, failed: true)
                ?? PodDiagnostics.TerminationMessage(await LivePodsAsync(restore, job, ct), failed: true)
                ?? failed.Message
                ?? "inspect Job failed";
            return failed.Reason == "DeadlineExceeded"
                ? await FailAsync(restore, "InspectionFailed", $"inspect Job {jobName} did not finish within {KubeDuration.Format(timeouts.MoverRun)} (moverRun): {Quote(message)}", ct)
                : await FailAsync(restore, "InspectionFailed", $"inspect Job {jobName} failed{(failed.Reason is { } r ? $" ({r})" : "")}: {Quote(message)}", ct);
        }

        var running = $"inspect Job {jobName} is reading the manifest of {RestoreStatusTransitions.What(status)}";
        return await WaitForMoverAsync(restore, job, pods, new MoverWatch("inspect", running, "InspectionFailed", "InspectionFailed"), ct);
    }

    /// <summary>Removes the inspect Job once its result is recorded (idempotent: nothing to do when it is gone).</summary>
    private async Task RemoveInspectJobsAsync(DataMoverRestore restore, CancellationToken ct)
    {
        foreach (var job in _inspectJobs.OwnedBy(restore).ToList())
        {
            await _inspectJobs.DeleteAsync(job, "Background", ct);
            LogInspectJobDeleted(_logger, restore.Metadata.Namespace!, restore.Metadata.Name!, job.Metadata.Name!);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "DataMoverRestore {Namespace}/{Name}: deleted inspect Job {Job}, its result is recorded")]
    private static partial void LogInspectJobDeleted(ILogger logger, string @namespace, string name, string job);
}
