using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Kube.Runtime;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;
using DataMover.Operator.Events;
using DataMover.Operator.Metrics;
using DataMover.Operator.Security;

namespace DataMover.Operator.Restore;

/// <summary>
/// Drives one DataMoverRestore as linear ensure-steps, in the DataMover's style: accept (validate, resolve the
/// source, record every decision), prepare the target PVC (create it once, or wait until nobody mounts the existing
/// one), then run and follow the recorded mover Job. Each decision is in status before it is acted on, so a crash at
/// any instant resumes with the same PVC and Job. Every wait has a deadline and a wake-up at it; the rest is woken by
/// the informers.
/// </summary>
internal sealed partial class RestoreReconciler : IReconciler
{
    /// <summary>How long past moverRun the operator waits for the Job's own activeDeadlineSeconds to fail it.</summary>
    private static readonly TimeSpan JobDeadlineGrace = TimeSpan.FromMinutes(1);

    /// <summary>The longest piece of a mover's message quoted in a condition.</summary>
    private const int QuotedMessageLength = 512;

    private readonly OperatorCaches _caches;
    private readonly RestoreCaches _restoreCaches;
    private readonly OwnedObjects<Job> _jobs;
    private readonly OwnedObjects<Job> _inspectJobs;
    private readonly ResourceClient<PersistentVolumeClaim> _pvcs;
    private readonly ResourceClient<Pod> _pods;
    private readonly StatusCommitter<DataMoverRestore, DataMoverRestoreStatus> _status;
    private readonly IEventSink _events;
    private readonly DataMoverMetrics _metrics;
    private readonly RestoreDefaults _defaults;
    private readonly MoverAdmission _admission;
    private readonly MoverServiceAccounts _serviceAccounts;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public RestoreReconciler(OperatorCaches caches, RestoreCaches restoreCaches, KubeClient client, IEventSink events, DataMoverMetrics metrics, RestoreDefaults defaults, TimeProvider time, ILogger logger)
    {
        _caches = caches;
        _restoreCaches = restoreCaches;
        _jobs = new OwnedObjects<Job>(client.Resource(KubeResources.Jobs), caches.Jobs, RestoreLabels.JobComponent);
        _inspectJobs = new OwnedObjects<Job>(client.Resource(KubeResources.Jobs), caches.Jobs, RestoreLabels.InspectComponent);
        _pvcs = client.Resource(KubeResources.PersistentVolumeClaims);
        _pods = client.Resource(KubeResources.Pods);
        _status = new StatusCommitter<DataMoverRestore, DataMoverRestoreStatus>(client, new RestoreStatusKind(metrics, time), events, logger);
        _events = events;
        _metrics = metrics;
        _defaults = defaults;
        _admission = new MoverAdmission(new MoverImagePolicy(defaults.MoverImage, defaults.AllowedMoverImages), MoverPodSettingsPolicy.For(defaults.AllowMoverRoot));
        _serviceAccounts = new MoverServiceAccounts(client, caches.ServiceAccounts);
        _time = time;
        _logger = logger;
    }

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var restore = _restoreCaches.Restores.Get(key);
        if (restore is null)
        {
            return ReconcileResult.Done;
        }

        // List items may lack apiVersion/kind; events and status writes need them.
        restore = restore with { ApiVersion = DataMoverResources.ApiVersion, Kind = RestoreLabels.Kind };
        var phase = restore.Status?.Phase ?? RestorePhase.Pending;
        if (restore.Metadata.DeletionTimestamp is not null || RestorePhase.IsTerminal(phase))
        {
            // Garbage collection removes the Job through its ownerReference; a created PVC has none and stays.
            return ReconcileResult.Done;
        }

        try
        {
            return phase switch
            {
                RestorePhase.Pending => await AcceptAsync(restore, cancellationToken),
                RestorePhase.Inspecting => await EnsureInspectionAsync(restore, cancellationToken),
                RestorePhase.PreparingTarget => await EnsureTargetAsync(restore, cancellationToken),
                RestorePhase.Restoring => await EnsureJobAsync(restore, cancellationToken),
                _ => await FailAsync(restore, "UnknownPhase", $"unknown phase \"{phase}\"", cancellationToken),
            };
        }
        catch (KubeApiException e) when (!cancellationToken.IsCancellationRequested)
        {
            // The loop retries with backoff on the latest object; nothing is taken as done. It also logs the error, once.
            var (ns, _) = ObjectKey.Split(key);
            _metrics.RestoreErrors.WithLabels(e.IsConflict ? "Conflict" : "ApiError", RestorePhase.Label(phase), ns ?? "").Inc();
            throw;
        }
    }

    // ---- Pending: validate, resolve the source and the target, record them ----

    private async Task<ReconcileResult> AcceptAsync(DataMoverRestore restore, CancellationToken ct)
    {
        var spec = restore.Spec ?? new DataMoverRestoreSpec();
        var problems = RestoreSpecValidator.Problems(spec);
        if (problems.Count > 0)
        {
            return await FailAsync(restore, "InvalidSpec", string.Join("; ", problems), ct);
        }

        // The same rule as for backups: a mover its creator could steer is never started (docs/security.md).
        if (_admission.Check(spec.AdditionalEnv, spec.Image, spec.MoverPod) is { } refused)
        {
            return await FailAsync(restore, refused.Reason, refused.Message, ct);
        }

        var timeouts = RestoreTimeouts.Resolve(_defaults.Timeouts, spec.Timeouts, out var errors);
        if (errors.Count > 0)
        {
            return await FailAsync(restore, "InvalidSpec", string.Join("; ", errors), ct);
        }

        if (spec.RestoreOwnership == true && !_defaults.AllowPrivilegedRestore)
        {
            return await FailAsync(restore, "PrivilegedRestoreNotAllowed",
                "spec.restoreOwnership runs the mover as root with CAP_CHOWN, CAP_FOWNER and CAP_DAC_OVERRIDE; this operator was not started with --allow-privileged-restore, so it restores only without owners", ct);
        }

        var source = spec.Source!;
        var target = spec.Target!;
        string path, folder, secretName, display;
        var size = target.Pvc?.Size;
        if (source.FromDataMover is { Length: > 0 } dmName)
        {
            var resolved = await ResolveDataMoverAsync(restore, dmName, timeouts, ct);
            if (resolved.Blocked is { } blocked)
            {
                return blocked;
            }

            var (dm, dmSpec) = (resolved.DataMover!, resolved.DataMover!.Status?.AcceptedSpec ?? resolved.DataMover.Spec!);
            path = dmSpec.Path ?? "";
            folder = dm.Status?.DestinationPrefix ?? "";
            secretName = string.IsNullOrEmpty(source.SecretName) ? dmSpec.SecretName ?? "" : source.SecretName;
            display = "datamover/" + dmName;
            if (target.Pvc is not null && size is null)
            {
                if (dmSpec.SourcePvc is not { Length: > 0 } sourcePvc || _caches.Pvcs.Get(restore.Metadata.Namespace, sourcePvc) is not { } sourceClaim)
                {
                    return await FailAsync(restore, "TargetSizeUnknown",
                        $"target.pvc.size is unset and the source PVC \"{dmSpec.SourcePvc}\" of DataMover \"{dmName}\" no longer exists to take its size from; set target.pvc.size", ct);
                }

                size = ClonePlanner.Size(sourceClaim);
            }

            if (string.IsNullOrEmpty(secretName))
            {
                return await FailAsync(restore, "InvalidSpec", $"DataMover \"{dmName}\" records no secretName; set source.secretName", ct);
            }
        }
        else
        {
            (path, folder) = RestorePath.Split(source.Path!);
            secretName = source.SecretName!;
            display = source.Path!;
        }

        var targetName = target.PvcName ?? target.Pvc!.Name ?? restore.Metadata.Name!;
        var accepted = target.Pvc is { } pvc ? spec with { Target = target with { Pvc = pvc with { Name = targetName, Size = size } } } : spec;
        var now = _time.GetUtcNow();
        var status = (restore.Status ?? new DataMoverRestoreStatus()) with
        {
            AcceptedSpec = accepted,
            StartTime = restore.Status?.StartTime ?? now,
            Source = display,
            SecretName = secretName,
            Path = path,
            RequestedFolder = folder,
            TargetPvc = targetName,
            TargetPvcCreated = target.Pvc is not null,
            Attempts = 0,
        };
        var into = target.Pvc is not null ? $"new PVC {targetName}" : $"PVC {targetName}";
        if (target.Pvc is not null && size is null)
        {
            // Only secretName + path gets here (fromDataMover has its source PVC's size or failed above): the mover
            // reads the backup's manifest first, and the folder it resolves is kept for the restore.
            var inspectJob = status.InspectJobName ?? RestoreJobNamer.InspectName(restore.Metadata.Name!);
            var inspecting = RestoreStatusTransitions.Advance(status with { InspectJobName = inspectJob }, restore, now, RestorePhase.Inspecting, "CreatingInspectJob",
                $"creating inspect Job {inspectJob} to read the size of {RestoreStatusTransitions.What(status)} for {into}");
            var recorded = await _status.CommitAsync(restore, inspecting, null, ct);
            return await EnsureInspectionAsync(recorded, ct);
        }

        var next = RestoreStatusTransitions.Advance(status, restore, now, RestorePhase.PreparingTarget, "PreparingTarget",
            $"restoring {RestoreStatusTransitions.What(status)} into {into}; preparing the target");
        var written = await _status.CommitAsync(restore, next, null, ct);
        return await EnsureTargetAsync(written, ct);
    }

    /// <summary>The source DataMover once it has succeeded; otherwise what the reconcile answers.</summary>
    private async Task<SourceCheck> ResolveDataMoverAsync(DataMoverRestore restore, string dmName, RestoreTimeouts timeouts, CancellationToken ct)
    {
        var ns = restore.Metadata.Namespace!;
        var deadline = new Deadline(restore.Metadata.CreationTimestamp ?? _time.GetUtcNow(), timeouts.SourceReady, "SourceReadyTimeout");
        var dm = _caches.DataMovers.Get(ns, dmName);
        if (dm is null)
        {
            return new(null, await WaitAsync(restore, Wait.Blocked("DataMoverNotFound", $"DataMover \"{dmName}\" not found in namespace \"{ns}\"; waiting for it"), deadline, ct));
        }

        var phase = dm.Status?.Phase ?? DataMoverPhase.Pending;
        if (phase == DataMoverPhase.Failed)
        {
            var why = Conditions.Find(dm.Status?.Conditions, ConditionTypes.Failed) is { Status: "True" } failed ? $" ({failed.Reason}: {failed.Message})" : "";
            return new(null, await FailAsync(restore, "SourceBackupFailed", $"DataMover \"{dmName}\" failed{why}; it has no backup to restore", ct));
        }

        // CleaningUp follows only a successful backup: the data is in the bucket, the clone is being removed.
        if (phase is not (DataMoverPhase.Completed or DataMoverPhase.CleaningUp))
        {
            return new(null, await WaitAsync(restore, Wait.Progressing("WaitingForBackup", $"DataMover \"{dmName}\" is in phase {DataMoverPhase.Label(phase)}; waiting for its backup to succeed"), deadline, ct));
        }

        return new(dm, null);
    }

    // ---- PreparingTarget: create the new PVC once, or wait for the existing one to be free ----

    private async Task<ReconcileResult> EnsureTargetAsync(DataMoverRestore restore, CancellationToken ct)
    {
        var ns = restore.Metadata.Namespace!;
        var status = restore.Status!;
        var spec = status.AcceptedSpec ?? restore.Spec!;
        var timeouts = Timeouts(restore);
        var deadline = new Deadline(status.PhaseStartTime ?? _time.GetUtcNow(), timeouts.TargetReady, "TargetReadyTimeout");
        var name = status.TargetPvc!;
        await RemoveInspectJobsAsync(restore, ct);
        var pvc = _caches.Pvcs.Get(ns, name);
        if (status.TargetPvcCreated == true)
        {
            pvc ??= await _pvcs.TryGetAsync(ns, name, ct);
            if (pvc is null)
            {
                var created = await CreateTargetAsync(restore, spec.Target!.Pvc!, name, ct);
                if (created.Blocked is { } refused)
                {
                    return refused;
                }

                pvc = created.Pvc!;
            }

            if (!RestoreLabels.WasCreatedBy(pvc, restore))
            {
                return await FailAsync(restore, "TargetPVCExists",
                    $"PVC {name} already exists and was not created by this restore; the operator never restores into a PVC it did not create unless target.pvcName names it", ct);
            }
        }
        else if (pvc is null)
        {
            return await WaitAsync(restore, Wait.Blocked("TargetPVCNotFound", $"target PVC \"{name}\" not found in namespace \"{ns}\"; waiting for it to be created"), deadline, ct);
        }

        if (pvc.Metadata.DeletionTimestamp is not null)
        {
            return await FailAsync(restore, "TargetPVCDeleted", $"target PVC {name} is being deleted", ct);
        }

        if (pvc.Status?.Phase == "Lost")
        {
            return await FailAsync(restore, "TargetPVCLost", $"target PVC {name} lost its volume", ct);
        }

        // A PVC of a WaitForFirstConsumer class binds only once a pod using it is scheduled: the mover is that pod.
        var storageClass = pvc.Spec?.StorageClassName is { Length: > 0 } className ? _caches.StorageClasses.Get(null, className) : null;
        if (pvc.Status?.Phase != "Bound" && storageClass?.VolumeBindingMode != "WaitForFirstConsumer")
        {
            var pending = _caches.LatestWarning(pvc) is { } warning
                ? Wait.Blocked("TargetPVCNotReady", $"waiting for target PVC {name} to be bound: {warning.Reason}: {warning.Message}")
                : Wait.Progressing("TargetPVCPending", $"waiting for target PVC {name} to be bound");
            return await WaitAsync(restore, pending, deadline, ct);
        }

        // Writing under a running application corrupts both; the restore waits, it never stops anyone's pod.
        var users = _restoreCaches.AllPods.ByIndex(RestoreCaches.ByClaim, ObjectKey.Of(ns, name))
            .Where(p => p.Status?.Phase is not ("Succeeded" or "Failed") && p.Metadata.Label(RestoreLabels.RestoreUid) != restore.Metadata.Uid)
            .Select(p => p.Metadata.Name)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (users.Count > 0)
        {
            return await WaitAsync(restore, Wait.Blocked("TargetPVCInUse",
                $"target PVC {name} is mounted by pod(s) {string.Join(", ", users)}; waiting for them to stop (scale the application down; the operator never stops them)"), deadline, ct);
        }

        // A schedule's prune may be deleting the very backup; its Job finishing wakes this restore (RestoreController).
        var prunes = Retention.PruneRestoreGate.PrunesBlocking(restore, _caches.Jobs.List(ns));
        if (prunes.Count > 0)
        {
            return await WaitAsync(restore, Wait.Progressing(Retention.PruneRestoreGate.RestoreWaitingForPrune,
                $"prune Job(s) {string.Join(", ", prunes)} may be deleting backups under the source's path; waiting for them to finish"), deadline, ct);
        }

        var jobName = status.JobName ?? RestoreJobNamer.Name(restore.Metadata.Name!);
        var next = RestoreStatusTransitions.Advance(status with { JobName = jobName }, restore, _time.GetUtcNow(), RestorePhase.Restoring, "CreatingMoverJob",
            $"creating restore Job {jobName} to restore {RestoreStatusTransitions.What(status)} into PVC {name}");
        var written = await _status.CommitAsync(restore, next, Notice.Normal("TargetReady", $"target PVC {name} is ready and not in use"), ct);
        return await EnsureJobAsync(written, ct);
    }

    private async Task<TargetCreation> CreateTargetAsync(DataMoverRestore restore, DataMoverRestorePvc template, string name, CancellationToken ct)
    {
        var ns = restore.Metadata.Namespace!;
        try
        {
            var created = await _pvcs.CreateAsync(RestorePvcBuilder.Build(restore, template, name, template.Size!), ct);
            LogCreated(_logger, ns, restore.Metadata.Name!, "PVC", name);
            _events.Normal(restore, "PVCCreated", $"Created PVC {name} ({template.Size}) to restore into; it is not owned by the restore and stays after it is deleted");
            return new(created, null);
        }
        catch (KubeApiException e) when (e.IsAlreadyExists)
        {
            // Our own create before a restart (the informer had not caught up), or someone else's PVC: the labels tell.
            var live = await _pvcs.TryGetAsync(ns, name, ct);
            if (live is null)
            {
                throw;
            }

            return new(live, null);
        }
        catch (KubeApiException e) when (e.IsInvalid || e.IsForbidden)
        {
            return new(null, await FailAsync(restore, "TargetPVCCreationFailed", $"Failed to create PVC {name}: {e.Status.Message ?? e.Message}", ct));
        }
    }

    // ---- Restoring: create the recorded Job, follow it and its pods ----

    private async Task<ReconcileResult> EnsureJobAsync(DataMoverRestore restore, CancellationToken ct)
    {
        var ns = restore.Metadata.Namespace!;
        var status = restore.Status!;
        var spec = status.AcceptedSpec ?? restore.Spec!;
        var timeouts = Timeouts(restore);
        if (_jobs.Get(ns, status.JobName!) is null && !_jobs.OwnedBy(restore).Any() && await EnsureServiceAccountAsync(restore, ct) is { } refused)
        {
            return refused;
        }

        IReadOnlyList<string> dropped = [];
        var (job, next) = await EnsureJobObjectAsync(restore, _jobs, RestoreJobSlot.Restore, name =>
        {
            var plan = RestoreJobBuilder.Build(restore, new RestoreJobPlan(name, _defaults.MoverImage, timeouts.MoverRun, spec.RestoreOwnership == true && _defaults.AllowPrivilegedRestore, PodSettings(restore)));
            dropped = plan.Dropped;
            return plan.Job;
        }, ct);
        if (job is null)
        {
            return next.Result;
        }

        if (next.Outcome == StepOutcome.Created)
        {
            _events.Normal(next.Restore, "JobCreated", $"Created restore Job {job.Metadata.Name} to restore {RestoreStatusTransitions.What(status)} into PVC {status.TargetPvc}");
            if (dropped.Count > 0)
            {
                _events.Warning(next.Restore, "EnvVarIgnored", $"spec.additionalEnv entries {string.Join(", ", dropped)} are set by the operator and were ignored");
            }
        }

        return await ObserveJobAsync(next.Restore, job, ct);
    }

    private async Task<ReconcileResult> ObserveJobAsync(DataMoverRestore restore, Job job, CancellationToken ct)
    {
        var status = restore.Status!;
        var timeouts = Timeouts(restore);
        var jobName = job.Metadata.Name!;
        var pods = job.Metadata.Uid is { } uid ? _caches.Pods.ByIndex(IndexFuncs.ControllerUid, uid) : [];
        var attempts = Math.Max(pods.Count, (job.Status?.Failed ?? 0) + (job.Status?.Active ?? 0) + (job.Status?.Succeeded ?? 0));
        restore = restore with { Status = status = status with { Attempts = attempts } };
        var now = _time.GetUtcNow();

        if (JobCondition(job, "Complete") is not null)
        {
            var message = PodDiagnostics.TerminationMessage(pods, failed: false)
                ?? PodDiagnostics.TerminationMessage(await LivePodsAsync(restore, job, ct), failed: false);
            var result = MoverResult.Parse(message);
            if (RestoreResultCheck.WhyNot(result, status) is { } why)
            {
                return await FailAsync(restore, "MoverResultInvalid",
                    $"restore Job {jobName} exited 0 but {why}; the restore is not taken as done: {Quote(message)}", ct);
            }

            status = status with { Folder = result!.Folder, Files = result.Files, Bytes = result.Bytes };
            var done = $"restored {RestoreStatusTransitions.What(status)} into PVC {status.TargetPvc}: {result.Files?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} files, {result.Bytes?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} bytes";
            await _status.CommitAsync(restore, RestoreStatusTransitions.Complete(status, restore, now, done), Notice.Normal("RestoreSucceeded", done), ct);
            return ReconcileResult.Done;
        }

        if (JobCondition(job, "Failed") is { } failed)
        {
            var message = PodDiagnostics.TerminationMessage(pods, failed: true)
                ?? PodDiagnostics.TerminationMessage(await LivePodsAsync(restore, job, ct), failed: true)
                ?? failed.Message
                ?? "restore Job failed";
            return failed.Reason == "DeadlineExceeded"
                ? await FailAsync(restore, "MoverRunTimeout", $"restore Job {jobName} did not finish within {KubeDuration.Format(timeouts.MoverRun)} (its activeDeadlineSeconds); PVC {status.TargetPvc} may be partly restored: {Quote(message)}", ct)
                : await FailAsync(restore, "MoverFailed", $"restore Job {jobName} failed{(failed.Reason is { } r ? $" ({r})" : "")} after {attempts} attempt(s); PVC {status.TargetPvc} may be partly restored: {Quote(message)}", ct);
        }

        var running = $"restore Job {jobName} is restoring {RestoreStatusTransitions.What(status)} into PVC {status.TargetPvc} (attempt {Math.Max(attempts, 1)})";
        return await WaitForMoverAsync(restore, job, pods, new MoverWatch("restore", running, "MoverStartTimeout", "MoverRunTimeout"), ct);
    }

    /// <summary>
    /// The wait for a mover Job that has not finished: running (bounded by moverRun past the phase's start, behind the
    /// Job's own activeDeadlineSeconds), or not started yet (bounded by moverStart, naming what blocks its pod).
    /// </summary>
    private async Task<ReconcileResult> WaitForMoverAsync(DataMoverRestore restore, Job job, IReadOnlyList<Pod> pods, MoverWatch watch, CancellationToken ct)
    {
        var status = restore.Status!;
        var timeouts = Timeouts(restore);
        var now = _time.GetUtcNow();
        if (pods.Any(p => p.Status?.Phase is "Running" or "Succeeded" or "Failed"))
        {
            // The Job's activeDeadlineSeconds ends a hung mover; this backstop covers a job controller that does not.
            var backstop = new Deadline(status.PhaseStartTime ?? now, timeouts.MoverRun + JobDeadlineGrace, watch.RunTimeoutReason, Cleanup: job);
            return await WaitAsync(restore, Wait.Progressing("MoverRunning", watch.Running), backstop, ct);
        }

        var deadline = new Deadline(status.PhaseStartTime ?? now, timeouts.MoverStart, watch.StartTimeoutReason, Cleanup: job);
        foreach (var pod in pods.Where(p => p.Status?.Phase is null or "Pending"))
        {
            if (PodDiagnostics.Blocked(pod) is { } blocked)
            {
                return await WaitAsync(restore, Wait.Blocked("MoverPodBlocked", $"{watch.Noun} pod {pod.Metadata.Name} cannot start: {blocked.Reason}: {blocked.Message}"), deadline, ct);
            }

            if (PodDiagnostics.Unschedulable(pod) is { } why)
            {
                return await WaitAsync(restore, Wait.Progressing("MoverPodPending", $"{watch.Noun} pod {pod.Metadata.Name} is not scheduled yet: {why}"), deadline, ct);
            }
        }

        if (pods.Count == 0 && PodDiagnostics.FailedCreate(job, _caches) is { } refused)
        {
            return await WaitAsync(restore, Wait.Blocked("MoverPodNotCreated", $"the job controller cannot create the pod of {watch.Noun} Job {job.Metadata.Name}: {PodDiagnostics.Quote(refused.Message ?? "")}"), deadline, ct);
        }

        return await WaitAsync(restore, Wait.Progressing("MoverPending", $"waiting for {watch.Noun} Job {job.Metadata.Name} to start"), deadline, ct);
    }

    /// <summary>The Job's pods read from the API server, once, at the terminal transition (the pod informer may lag the Job's).</summary>
    private async Task<IReadOnlyList<Pod>> LivePodsAsync(DataMoverRestore restore, Job job, CancellationToken ct)
    {
        var list = await _pods.ListAsync(restore.Metadata.Namespace, new ListOptions { LabelSelector = $"{RestoreLabels.RestoreUid}={restore.Metadata.Uid}" }, ct);
        return [.. list.Items.Where(p => p.Metadata.ControllerReference()?.Uid == job.Metadata.Uid)];
    }

    // ---- shared steps ----

    /// <summary>
    /// Ensures the Job whose name status records exists and is this restore's: adopts one it owns under another name,
    /// and moves to the restore's own fallback name when someone else's Job holds the plain one. The name is always
    /// recorded before the create, so a restart never creates a second Job.
    /// </summary>
    private async Task<(Job? Job, Progress Next)> EnsureJobObjectAsync(DataMoverRestore restore, OwnedObjects<Job> jobs, RestoreJobSlot slot, Func<string, Job> build, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var name = slot.Recorded(restore.Status!);
            Ensured<Job> ensured;
            try
            {
                ensured = await jobs.EnsureAsync(restore, name, build, ct);
            }
            catch (KubeApiException e) when (e.IsInvalid || e.IsForbidden)
            {
                // No retry can change the answer: the Job as built is refused (quota, policy, RBAC, admission).
                return (null, new Progress(restore, await FailAsync(restore, "JobCreationFailed", $"Failed to create {slot.Noun} {name}: {e.Status.Message ?? e.Message}", ct), StepOutcome.Stopped));
            }

            switch (ensured.Outcome)
            {
                case EnsureOutcome.Existing:
                    return (ensured.Object, new Progress(restore, ReconcileResult.Done, StepOutcome.Existing));
                case EnsureOutcome.Created:
                    LogCreated(_logger, restore.Metadata.Namespace!, restore.Metadata.Name!, "Job", name);
                    return (ensured.Object, new Progress(restore, ReconcileResult.Done, StepOutcome.Created));
                case EnsureOutcome.OwnedElsewhere:
                    restore = await _status.CommitAsync(restore, slot.Record(restore.Status!, ensured.Object.Metadata.Name!), null, ct);
                    break;
                default:
                    var fallback = slot.Fallback(restore);
                    if (fallback == name)
                    {
                        return (null, new Progress(restore, await FailAsync(restore, "JobNameTaken", $"Job {name} exists and is not owned by this restore", ct), StepOutcome.Stopped));
                    }

                    restore = await _status.CommitAsync(restore, slot.Record(restore.Status!, fallback), Notice.Warning("JobNameTaken", $"Job {name} belongs to someone else; using {fallback}"), ct);
                    break;
            }
        }

        throw new InvalidOperationException($"Job name of DataMoverRestore {restore.Metadata.Name} did not settle");
    }

    /// <summary>Ensures the mover's ServiceAccount (a pod naming a missing one is refused); the reconcile's answer when it cannot.</summary>
    private async Task<ReconcileResult?> EnsureServiceAccountAsync(DataMoverRestore restore, CancellationToken ct)
    {
        var ns = restore.Metadata.Namespace!;
        if (!string.IsNullOrEmpty(PodSettings(restore).ServiceAccountName))
        {
            // The user's own (workload identity): never created or changed by the operator; a missing one shows as the Job's FailedCreate.
            return null;
        }

        try
        {
            if (await _serviceAccounts.EnsureAsync(ns, ct))
            {
                LogCreated(_logger, ns, restore.Metadata.Name!, "ServiceAccount", MoverServiceAccounts.Name);
            }

            return null;
        }
        catch (KubeApiException e) when (e.IsForbidden)
        {
            return await FailAsync(restore, "Forbidden", $"cannot create serviceaccounts in namespace {ns}: {e.Status.Message ?? e.Message}", ct);
        }
    }

    /// <summary>Reports the wait; past its deadline fails the restore instead, removing the Job that would otherwise run on.</summary>
    private async Task<ReconcileResult> WaitAsync(DataMoverRestore restore, Wait wait, Deadline deadline, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var due = deadline.Since + deadline.Limit;
        if (now >= due)
        {
            if (deadline.Cleanup is { } job && RestoreLabels.IsOwnedBy(job, restore))
            {
                // A mover that starts after the restore has failed would still write into the PVC.
                await _jobs.DeleteAsync(job, "Background", ct);
            }

            return await FailAsync(restore, deadline.Reason, $"gave up after {KubeDuration.Format(deadline.Limit)}: {wait.Message}", ct);
        }

        var status = restore.Status ?? new DataMoverRestoreStatus();
        var previous = Conditions.Find(status.Conditions, ConditionTypes.Progressing);
        var next = RestoreStatusTransitions.Report(status, restore, now, wait);
        var changed = previous?.Reason != wait.Reason || previous.Message != wait.Message;
        await _status.CommitAsync(restore, next, changed && wait.IsBlocked ? Notice.Warning(wait.Reason, wait.Message) : null, ct);
        return ReconcileResult.After(due - now);
    }

    private async Task<ReconcileResult> FailAsync(DataMoverRestore restore, string reason, string message, CancellationToken ct)
    {
        var next = RestoreStatusTransitions.Fail(restore.Status ?? new DataMoverRestoreStatus(), restore, _time.GetUtcNow(), reason, message);
        await _status.CommitAsync(restore, next, Notice.Warning(reason, message), ct);
        return ReconcileResult.Done;
    }

    /// <summary>The accepted spec.moverPod over the operator's defaults.</summary>
    private MoverPodSettings PodSettings(DataMoverRestore restore) =>
        MoverPodSettingsResolver.Resolve(_defaults.MoverPod, (restore.Status?.AcceptedSpec ?? restore.Spec)?.MoverPod);

    private RestoreTimeouts Timeouts(DataMoverRestore restore) =>
        RestoreTimeouts.Resolve(_defaults.Timeouts, (restore.Status?.AcceptedSpec ?? restore.Spec)?.Timeouts, out _);

    private static JobCondition? JobCondition(Job job, string type) =>
        job.Status?.Conditions?.FirstOrDefault(c => c.Type == type && c.Status == "True");

    private static string Quote(string? message) =>
        message is null ? "(no message)" : message.Length <= QuotedMessageLength ? message : message[..QuotedMessageLength] + "…";

    private readonly record struct SourceCheck(Api.DataMover? DataMover, ReconcileResult? Blocked);

    private readonly record struct TargetCreation(PersistentVolumeClaim? Pvc, ReconcileResult? Blocked);

    /// <summary>The restore after a step's status writes, what to answer the loop when the step stops, and how it went.</summary>
    private readonly record struct Progress(DataMoverRestore Restore, ReconcileResult Result, StepOutcome Outcome);

    private enum StepOutcome
    {
        Existing,
        Created,
        Stopped,
    }

    /// <summary>What a mover Job is called in messages ("restore", "inspect"), what it does while running, and the reasons its bounds fail with.</summary>
    private sealed record MoverWatch(string Noun, string Running, string StartTimeoutReason, string RunTimeoutReason);

    /// <summary>A wait's start and bound, the failure reason when it runs out, and the Job to remove then.</summary>
    private sealed record Deadline(DateTimeOffset Since, TimeSpan Limit, string Reason, Job? Cleanup = null);

    [LoggerMessage(Level = LogLevel.Information, Message = "DataMoverRestore {Namespace}/{Name}: created {Kind} {Object}")]
    private static partial void LogCreated(ILogger logger, string @namespace, string name, string kind, string @object);
}
