using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Kube.Runtime;
using DataMover.Operator.Api;
using DataMover.Operator.Events;
using DataMover.Operator.Metrics;
using DataMover.Operator.Naming;
using Dm = DataMover.Operator.Api.DataMover;

namespace DataMover.Operator.Controllers;

/// <summary>
/// Drives one DataMover through its phases. Every step follows decide → record in status (with resourceVersion) →
/// create → observe, so a crash at any instant resumes with the same clone, Job and destination folder.
/// </summary>
internal sealed partial class DataMoverReconciler : IReconciler
{
    /// <summary>A backstop re-check after a lost status race; the informer normally wakes us sooner.</summary>
    private static readonly TimeSpan ConflictRetry = TimeSpan.FromSeconds(1);

    private readonly OperatorCaches _caches;
    private readonly ResourceClient<PersistentVolumeClaim> _pvcs;
    private readonly ResourceClient<Job> _jobs;
    private readonly ResourceClient<Pod> _pods;
    private readonly StatusWriter _status;
    private readonly IEventSink _events;
    private readonly DataMoverMetrics _metrics;
    private readonly string _moverImage;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public DataMoverReconciler(OperatorCaches caches, KubeClient client, IEventSink events, DataMoverMetrics metrics, string moverImage, TimeProvider time, ILogger logger)
    {
        _caches = caches;
        _pvcs = client.Resource(KubeResources.PersistentVolumeClaims);
        _jobs = client.Resource(KubeResources.Jobs);
        _pods = client.Resource(KubeResources.Pods);
        _status = new StatusWriter(client);
        _events = events;
        _metrics = metrics;
        _moverImage = moverImage;
        _time = time;
        _logger = logger;
    }

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var dm = _caches.DataMovers.Get(key);
        var (ns, name) = ObjectKey.Split(key);
        if (dm is null)
        {
            _metrics.CurrentPhase.Remove(name, ns ?? "");
            return ReconcileResult.Done;
        }

        // List items may lack apiVersion/kind; events and status writes need them.
        dm = dm with { ApiVersion = DataMoverResources.ApiVersion, Kind = "DataMover" };
        var phase = dm.Status?.Phase ?? DataMoverPhase.Pending;
        _metrics.CurrentPhase.Set(DataMoverPhase.Index(phase), name, ns ?? "");
        if (dm.Metadata.DeletionTimestamp is not null || DataMoverPhase.IsTerminal(phase))
        {
            // Being deleted: garbage collection removes the clone and Job through their ownerReferences.
            return ReconcileResult.Done;
        }

        try
        {
            return phase switch
            {
                DataMoverPhase.Pending => await StartAsync(dm, cancellationToken),
                DataMoverPhase.CreatingClonedPvc => await EnsureCloneAsync(dm, cancellationToken),
                DataMoverPhase.ClonedPvcReady => await StartMoverAsync(dm, cancellationToken),
                DataMoverPhase.CreatingPod => await EnsureJobAsync(dm, cancellationToken),
                DataMoverPhase.CleaningUp => await CleanUpAsync(dm, cancellationToken),
                _ => await FailAsync(dm, "UnknownPhase", $"unknown phase \"{phase}\"", cancellationToken),
            };
        }
        catch (KubeApiException e) when (!cancellationToken.IsCancellationRequested)
        {
            _metrics.Error("ApiError", DataMoverPhase.Label(phase), ns ?? "");
            LogApiError(_logger, ns, name, phase, e.Message);
            throw;
        }
    }

    // ---- Pending: verify the source, decide clone name and destination folder ----

    private async Task<ReconcileResult> StartAsync(Dm dm, CancellationToken ct)
    {
        var spec = dm.Spec ?? new DataMoverSpec();
        var ns = dm.Metadata.Namespace!;
        if (string.IsNullOrEmpty(spec.SourcePvc) || string.IsNullOrEmpty(spec.SecretName))
        {
            return await FailAsync(dm, "InvalidSpec", "spec.sourcePvc and spec.secretName are required", ct);
        }

        var (source, blocked) = await CheckSourceAsync(dm, spec.SourcePvc, ct);
        if (source is null)
        {
            return blocked;
        }

        var now = _time.GetUtcNow();
        var cloneName = ChooseCloneName(dm, spec.SourcePvc, now);
        var prefix = spec.AddTimestampPrefix == true ? now.UtcDateTime.ToString("yyyy-MM-dd-HHmmss", System.Globalization.CultureInfo.InvariantCulture) : "";
        var status = dm.Status ?? new DataMoverStatus();
        var next = status with
        {
            Phase = DataMoverPhase.CreatingClonedPvc,
            RestoredPvcName = cloneName,
            AcceptedSpec = spec,
            StartTime = status.StartTime ?? now,
            PhaseStartTime = now,
            Destination = DestinationOf(prefix),
            Attempts = 0,
            ObservedGeneration = dm.Metadata.Generation,
            Conditions = Progress(Initial(status.Conditions, dm, now), dm, now, true, "CreatingClone", $"creating clone {cloneName} of PVC {spec.SourcePvc}"),
        };
        var written = await CommitAsync(dm, next, ct);
        if (written is null)
        {
            return ReconcileResult.After(ConflictRetry);
        }

        LogCloneDecided(_logger, ns, dm.Metadata.Name!, cloneName, spec.SourcePvc, next.Destination!);
        return await EnsureCloneAsync(written, ct);
    }

    /// <summary>The source PVC when it exists and is Bound; otherwise reports what is awaited.</summary>
    private async Task<(PersistentVolumeClaim? Source, ReconcileResult Result)> CheckSourceAsync(Dm dm, string sourceName, CancellationToken ct)
    {
        var ns = dm.Metadata.Namespace!;
        var source = _caches.Pvcs.Get(ns, sourceName);
        if (source is null)
        {
            return (null, await ReportAsync(dm, false, "SourcePVCNotFound", $"source PVC \"{sourceName}\" not found in namespace \"{ns}\"; waiting for it to be created", true, ct));
        }

        if (source.Status?.Phase != "Bound")
        {
            return (null, await ReportAsync(dm, false, "SourcePVCNotBound", $"source PVC \"{sourceName}\" is {source.Status?.Phase ?? "Pending"}; waiting for it to be Bound", true, ct));
        }

        var className = source.Spec?.StorageClassName;
        var storageClass = string.IsNullOrEmpty(className) ? null : _caches.StorageClasses.Get(null, className);
        if (CloneCapability.WhyNot(className, storageClass, sourceName) is { } why)
        {
            return (null, await FailAsync(dm, "CloneNotSupported", why, ct));
        }

        if (storageClass is null)
        {
            return (null, await ReportAsync(dm, false, "StorageClassNotFound", $"storage class \"{className}\" of source PVC \"{sourceName}\" not found; waiting for it", true, ct));
        }

        return (source, ReconcileResult.Done);
    }

    /// <summary>The plain clone name, unless a clone someone else owns (or another DataMover has claimed) has it.</summary>
    private string ChooseCloneName(Dm dm, string source, DateTimeOffset time)
    {
        var plain = CloneNamer.Name(source, time);
        return IsCloneNameTaken(dm, plain) ? CloneNamer.Name(source, time, CloneNamer.DisambiguatorFor(dm.Metadata.Uid!)) : plain;
    }

    private bool IsCloneNameTaken(Dm dm, string cloneName)
    {
        var ns = dm.Metadata.Namespace!;
        if (_caches.Pvcs.Get(ns, cloneName) is { } existing && !DataMoverLabels.IsControlledBy(existing, dm))
        {
            return true;
        }

        return _caches.DataMovers.List(ns).Any(o => o.Metadata.Uid != dm.Metadata.Uid && o.Status?.RestoredPvcName == cloneName);
    }

    // ---- CreatingClonedPVC: create the recorded clone, wait for it to bind ----

    private async Task<ReconcileResult> EnsureCloneAsync(Dm dm, CancellationToken ct)
    {
        var ns = dm.Metadata.Namespace!;
        var status = dm.Status!;
        var spec = status.AcceptedSpec ?? dm.Spec!;
        var cloneName = status.RestoredPvcName!;
        var clone = _caches.Pvcs.Get(ns, cloneName);

        if (clone is not null && !DataMoverLabels.IsControlledBy(clone, dm))
        {
            return await RenameCloneAsync(dm, spec.SourcePvc!, clone, ct);
        }

        if (clone is null)
        {
            // A clone we own under another name (recorded before a rename we lost track of) is adopted, never duplicated.
            if (OwnedClones(dm).FirstOrDefault() is { } adopted)
            {
                var written = await CommitAsync(dm, status with { RestoredPvcName = adopted.Metadata.Name }, ct);
                return written is null ? ReconcileResult.After(ConflictRetry) : await EnsureCloneAsync(written, ct);
            }

            var (source, blocked) = await CheckSourceAsync(dm, spec.SourcePvc!, ct);
            if (source is null)
            {
                return blocked;
            }

            clone = ClonePlanner.Build(dm, source, cloneName);
            try
            {
                clone = await _pvcs.CreateAsync(clone, ct);
                _metrics.CloneOperations.Increment(1, DataMoverMetrics.Started, ns);
                _events.Normal(dm, "CloneCreated", $"Created clone {cloneName} of PVC {spec.SourcePvc}");
                LogCloneCreated(_logger, ns, dm.Metadata.Name!, cloneName, spec.SourcePvc!);
            }
            catch (KubeApiException e) when (e.IsAlreadyExists)
            {
                // Our own create before a restart, or a name race with another DataMover.
                var live = await _pvcs.TryGetAsync(ns, cloneName, ct);
                if (live is null)
                {
                    throw;
                }

                if (!DataMoverLabels.IsControlledBy(live, dm))
                {
                    return await RenameCloneAsync(dm, spec.SourcePvc!, live, ct);
                }

                clone = live;
            }
            catch (KubeApiException e) when (e.IsInvalid || e.IsForbidden)
            {
                _metrics.CloneOperations.Increment(1, DataMoverMetrics.Failure, ns);
                return await FailAsync(dm, "CloneCreationFailed", $"Failed to create cloned PVC {cloneName}: {e.Status.Message ?? e.Message}", ct);
            }
        }

        switch (clone.Status?.Phase)
        {
            case "Bound":
                return await CloneReadyAsync(dm, clone, ct);
            case "Lost":
                _metrics.CloneOperations.Increment(1, DataMoverMetrics.Failure, ns);
                return await FailAsync(dm, "CloneLost", $"clone {cloneName} lost its volume", ct);
        }

        // Pending: say what the provisioner last complained about, if anything.
        var warning = LatestWarning(clone);
        return warning is null
            ? await ReportAsync(dm, true, "ClonePending", $"waiting for clone {cloneName} to be bound", false, ct)
            : await ReportAsync(dm, true, "CloneNotReady", $"waiting for clone {cloneName} to be bound: {warning.Reason}: {warning.Message}", true, ct);
    }

    private async Task<ReconcileResult> RenameCloneAsync(Dm dm, string source, PersistentVolumeClaim taken, CancellationToken ct)
    {
        var status = dm.Status!;
        var time = status.PhaseStartTime ?? _time.GetUtcNow();
        var renamed = CloneNamer.Name(source, time, CloneNamer.DisambiguatorFor(dm.Metadata.Uid!));
        if (renamed == taken.Metadata.Name)
        {
            return await FailAsync(dm, "CloneNameTaken", $"PVC {renamed} exists and is not owned by this DataMover", ct);
        }

        LogCloneNameTaken(_logger, dm.Metadata.Namespace!, dm.Metadata.Name!, taken.Metadata.Name!, renamed);
        var written = await CommitAsync(dm, status with
        {
            RestoredPvcName = renamed,
            Conditions = Progress(status.Conditions, dm, _time.GetUtcNow(), true, "CreatingClone", $"creating clone {renamed} of PVC {source} (name {taken.Metadata.Name} was taken)"),
        }, ct);
        return written is null ? ReconcileResult.After(ConflictRetry) : await EnsureCloneAsync(written, ct);
    }

    private async Task<ReconcileResult> CloneReadyAsync(Dm dm, PersistentVolumeClaim clone, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var status = dm.Status!;
        var next = status with
        {
            Phase = DataMoverPhase.ClonedPvcReady,
            PhaseStartTime = now,
            Conditions = Progress(status.Conditions, dm, now, true, "CloneReady", $"clone {clone.Metadata.Name} is bound; creating the mover Job"),
        };
        var written = await CommitAsync(dm, next, ct);
        if (written is null)
        {
            return ReconcileResult.After(ConflictRetry);
        }

        if (!ReferenceEquals(written, dm))
        {
            _metrics.CloneOperations.Increment(1, DataMoverMetrics.Success, dm.Metadata.Namespace!);
            _events.Normal(dm, "CloneReady", $"Clone {clone.Metadata.Name} is bound");
            LogCloneReady(_logger, dm.Metadata.Namespace!, dm.Metadata.Name!, clone.Metadata.Name!);
        }

        return await StartMoverAsync(written, ct);
    }

    // ---- ClonedPVCReady: decide and record the Job name ----

    private async Task<ReconcileResult> StartMoverAsync(Dm dm, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var status = dm.Status!;
        var jobName = status.JobName ?? ChooseJobName(dm);
        var next = status with
        {
            Phase = DataMoverPhase.CreatingPod,
            JobName = jobName,
            PhaseStartTime = now,
            Conditions = Progress(status.Conditions, dm, now, true, "CreatingMoverJob", $"creating mover Job {jobName} to copy clone {status.RestoredPvcName} to {status.Destination}"),
        };
        var written = await CommitAsync(dm, next, ct);
        return written is null ? ReconcileResult.After(ConflictRetry) : await EnsureJobAsync(written, ct);
    }

    private string ChooseJobName(Dm dm)
    {
        var plain = JobNamer.Name(dm.Metadata.Name!);
        return _caches.Jobs.Get(dm.Metadata.Namespace!, plain) is { } existing && !DataMoverLabels.IsControlledBy(existing, dm)
            ? JobNamer.Name(dm.Metadata.Name!, CloneNamer.DisambiguatorFor(dm.Metadata.Uid!))
            : plain;
    }

    // ---- CreatingPod: create the recorded Job, watch it and its pods ----

    private async Task<ReconcileResult> EnsureJobAsync(Dm dm, CancellationToken ct)
    {
        var ns = dm.Metadata.Namespace!;
        var status = dm.Status!;
        var spec = status.AcceptedSpec ?? dm.Spec!;
        var jobName = status.JobName!;
        var job = _caches.Jobs.Get(ns, jobName);
        if (job is not null && !DataMoverLabels.IsControlledBy(job, dm))
        {
            return await RenameJobAsync(dm, job, ct);
        }

        if (job is null)
        {
            if (_caches.Jobs.ByIndex(IndexFuncs.ControllerUid, dm.Metadata.Uid!).FirstOrDefault() is { } adopted)
            {
                var written = await CommitAsync(dm, status with { JobName = adopted.Metadata.Name }, ct);
                return written is null ? ReconcileResult.After(ConflictRetry) : await EnsureJobAsync(written, ct);
            }

            if (_caches.Pvcs.Get(ns, status.RestoredPvcName!) is null && await _pvcs.TryGetAsync(ns, status.RestoredPvcName!, ct) is null)
            {
                return await FailAsync(dm, "CloneMissing", $"clone {status.RestoredPvcName} was deleted before the mover Job was created", ct);
            }

            var prefix = PrefixOf(status.Destination);
            var (built, dropped) = MoverJobBuilder.Build(dm, spec, jobName, status.RestoredPvcName!, prefix, _moverImage);
            if (dropped.Count > 0)
            {
                _events.Warning(dm, "EnvVarIgnored", $"spec.additionalEnv entries {string.Join(", ", dropped)} are set by the operator and were ignored");
            }

            try
            {
                job = await _jobs.CreateAsync(built, ct);
                _metrics.PodCreations.Increment(1, DataMoverMetrics.Success, ns);
                _events.Normal(dm, "JobCreated", $"Created mover Job {jobName} to copy clone {status.RestoredPvcName} to {status.Destination}");
                LogJobCreated(_logger, ns, dm.Metadata.Name!, jobName, status.RestoredPvcName!, status.Destination ?? "");
            }
            catch (KubeApiException e) when (e.IsAlreadyExists)
            {
                var live = await _jobs.TryGetAsync(ns, jobName, ct);
                if (live is null)
                {
                    throw;
                }

                if (!DataMoverLabels.IsControlledBy(live, dm))
                {
                    return await RenameJobAsync(dm, live, ct);
                }

                job = live;
            }
            catch (KubeApiException e) when (e.IsInvalid || e.IsForbidden)
            {
                _metrics.PodCreations.Increment(1, DataMoverMetrics.Failure, ns);
                return await FailAsync(dm, "JobCreationFailed", $"Failed to create mover Job {jobName}: {e.Status.Message ?? e.Message}", ct);
            }
        }

        return await ObserveJobAsync(dm, job, ct);
    }

    private async Task<ReconcileResult> RenameJobAsync(Dm dm, Job taken, CancellationToken ct)
    {
        var renamed = JobNamer.Name(dm.Metadata.Name!, CloneNamer.DisambiguatorFor(dm.Metadata.Uid!));
        if (renamed == taken.Metadata.Name)
        {
            return await FailAsync(dm, "JobNameTaken", $"Job {renamed} exists and is not owned by this DataMover", ct);
        }

        var written = await CommitAsync(dm, dm.Status! with { JobName = renamed }, ct);
        return written is null ? ReconcileResult.After(ConflictRetry) : await EnsureJobAsync(written, ct);
    }

    private async Task<ReconcileResult> ObserveJobAsync(Dm dm, Job job, CancellationToken ct)
    {
        var ns = dm.Metadata.Namespace!;
        var status = dm.Status!;
        var spec = status.AcceptedSpec ?? dm.Spec!;
        var pods = job.Metadata.Uid is { } uid ? _caches.Pods.ByIndex(IndexFuncs.ControllerUid, uid) : [];
        var attempts = Math.Max(pods.Count, (job.Status?.Failed ?? 0) + (job.Status?.Active ?? 0) + (job.Status?.Succeeded ?? 0));
        var now = _time.GetUtcNow();

        if (HasCondition(job, "Complete"))
        {
            var message = PodDiagnostics.TerminationMessage(pods, failed: false)
                ?? PodDiagnostics.TerminationMessage(await LivePodsAsync(dm, job, ct), failed: false);
            var destination = PodDiagnostics.DestinationFrom(message) ?? status.Destination;
            _metrics.DataSyncs.Increment(1, DataMoverMetrics.Success, ns);
            if (spec.DeletePvcAfterBackup == true)
            {
                var cleaning = status with
                {
                    Phase = DataMoverPhase.CleaningUp,
                    PhaseStartTime = now,
                    Attempts = attempts,
                    Destination = destination,
                    Conditions = Progress(status.Conditions, dm, now, true, "DeletingClone", $"backup done; deleting clone {status.RestoredPvcName}"),
                };
                var written = await CommitAsync(dm, cleaning, ct);
                if (written is null)
                {
                    return ReconcileResult.After(ConflictRetry);
                }

                _events.Normal(dm, "BackupSucceeded", $"Mover Job {job.Metadata.Name} copied clone {status.RestoredPvcName} to {destination}");
                return await CleanUpAsync(written, ct);
            }

            var done = await CompleteAsync(dm, status with { Attempts = attempts, Destination = destination }, ct);
            if (done)
            {
                _events.Normal(dm, "BackupSucceeded", $"Mover Job {job.Metadata.Name} copied clone {status.RestoredPvcName} to {destination}");
            }

            return ReconcileResult.Done;
        }

        if (HasCondition(job, "Failed"))
        {
            var reason = job.Status?.Conditions?.FirstOrDefault(c => c.Type == "Failed")?.Reason;
            var message = PodDiagnostics.TerminationMessage(pods, failed: true)
                ?? PodDiagnostics.TerminationMessage(await LivePodsAsync(dm, job, ct), failed: true)
                ?? job.Status?.Conditions?.FirstOrDefault(c => c.Type == "Failed")?.Message
                ?? "mover Job failed";
            _metrics.DataSyncs.Increment(1, DataMoverMetrics.Failure, ns);
            return await FailAsync(dm with { Status = status with { Attempts = attempts } }, "MoverFailed",
                $"mover Job {job.Metadata.Name} failed{(reason is null ? "" : $" ({reason})")} after {attempts} attempt(s); clone {status.RestoredPvcName} kept: {message}", ct);
        }

        foreach (var pod in pods.Where(p => p.Status?.Phase is null or "Pending"))
        {
            if (PodDiagnostics.Blocked(pod) is { } blocked)
            {
                return await ReportAsync(dm with { Status = status with { Attempts = attempts } }, false, "MoverPodBlocked",
                    $"mover pod {pod.Metadata.Name} cannot start: {blocked.Reason}: {blocked.Message}", true, ct);
            }
        }

        // A pod that already ended (the Job has not yet concluded from it) still counts as started.
        var running = pods.Any(p => p.Status?.Phase is "Running" or "Succeeded" or "Failed");
        return await ReportAsync(dm with { Status = status with { Attempts = attempts } }, true, running ? "MoverRunning" : "MoverPending",
            running ? $"mover Job {job.Metadata.Name} is copying clone {status.RestoredPvcName} to {status.Destination} (attempt {Math.Max(attempts, 1)})"
                    : $"waiting for mover Job {job.Metadata.Name} to start", false, ct);
    }

    /// <summary>
    /// The Job's pods read from the API server: the Job informer can be ahead of the pod informer, and the final
    /// outcome must carry the mover's own message. Read once, at the terminal transition.
    /// </summary>
    private async Task<IReadOnlyList<Pod>> LivePodsAsync(Dm dm, Job job, CancellationToken ct)
    {
        var list = await _pods.ListAsync(dm.Metadata.Namespace, new ListOptions { LabelSelector = $"{DataMoverLabels.DataMoverUid}={dm.Metadata.Uid}" }, ct);
        return [.. list.Items.Where(p => p.Metadata.ControllerReference()?.Uid == job.Metadata.Uid)];
    }

    // ---- CleaningUp: delete the clone, only if it is provably ours ----

    private async Task<ReconcileResult> CleanUpAsync(Dm dm, CancellationToken ct)
    {
        var ns = dm.Metadata.Namespace!;
        var status = dm.Status!;
        var cloneName = status.RestoredPvcName!;
        var clone = _caches.Pvcs.Get(ns, cloneName) ?? await _pvcs.TryGetAsync(ns, cloneName, ct);
        if (clone is not null && clone.Metadata.DeletionTimestamp is null)
        {
            if (DataMoverLabels.IsOwnedBy(clone, dm))
            {
                try
                {
                    await _pvcs.DeleteAsync(ns, cloneName, DeleteOptions.Background with { Preconditions = new Preconditions { Uid = clone.Metadata.Uid } }, ct);
                    _metrics.Cleanups.Increment(1, DataMoverMetrics.Success, ns);
                    _events.Normal(dm, "CloneDeleted", $"Deleted clone {cloneName}");
                    LogCloneDeleted(_logger, ns, dm.Metadata.Name!, cloneName);
                }
                catch (KubeApiException e) when (e.IsNotFound || e.IsConflict)
                {
                    // Gone already, or replaced by an object that is not ours: either way nothing of ours to delete.
                }
            }
            else
            {
                _metrics.Cleanups.Increment(1, DataMoverMetrics.Failure, ns);
                _events.Warning(dm, "CloneNotOwned", $"Clone {cloneName} does not carry this DataMover's labels and ownerReference; not deleted");
                LogCloneNotOwned(_logger, ns, dm.Metadata.Name!, cloneName);
            }
        }

        await CompleteAsync(dm, status, ct);
        return ReconcileResult.Done;
    }

    // ---- status helpers ----

    private async Task<bool> CompleteAsync(Dm dm, DataMoverStatus status, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var conditions = Conditions.Set(status.Conditions, ConditionTypes.Complete, true, "BackupSucceeded", $"backed up clone {status.RestoredPvcName} to {status.Destination}", dm.Metadata.Generation, now);
        conditions = Conditions.Set(conditions, ConditionTypes.Failed, false, "BackupSucceeded", "", dm.Metadata.Generation, now);
        conditions = Conditions.Set(conditions, ConditionTypes.Progressing, false, "Completed", "backup completed", dm.Metadata.Generation, now);
        var written = await CommitAsync(dm, status with { Phase = DataMoverPhase.Completed, PhaseStartTime = now, CompletionTime = now, Conditions = conditions }, ct);
        if (written is null || ReferenceEquals(written, dm))
        {
            return false;
        }

        LogCompleted(_logger, dm.Metadata.Namespace!, dm.Metadata.Name!, status.RestoredPvcName ?? "", status.JobName ?? "", status.Destination ?? "");
        return true;
    }

    private async Task<ReconcileResult> FailAsync(Dm dm, string reason, string message, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var status = dm.Status ?? new DataMoverStatus();
        var phase = status.Phase ?? "";
        var conditions = Conditions.Set(status.Conditions, ConditionTypes.Failed, true, reason, message, dm.Metadata.Generation, now);
        conditions = Conditions.Set(conditions, ConditionTypes.Complete, false, reason, "", dm.Metadata.Generation, now);
        conditions = Conditions.Set(conditions, ConditionTypes.Progressing, false, "Failed", message, dm.Metadata.Generation, now);
        var next = status with
        {
            Phase = DataMoverPhase.Failed,
            StartTime = status.StartTime ?? now,
            PhaseStartTime = now,
            CompletionTime = now,
            ObservedGeneration = dm.Metadata.Generation,
            Conditions = conditions,
        };
        var written = await CommitAsync(dm, next, ct);
        if (written is null)
        {
            return ReconcileResult.After(ConflictRetry);
        }

        if (!ReferenceEquals(written, dm))
        {
            _metrics.Error(reason, DataMoverPhase.Label(phase), dm.Metadata.Namespace!);
            _events.Warning(dm, reason, message);
            LogFailed(_logger, dm.Metadata.Namespace!, dm.Metadata.Name!, phase, status.RestoredPvcName ?? "", status.JobName ?? "", reason, message);
        }

        return ReconcileResult.Done;
    }

    /// <summary>Sets the Progressing condition in the current phase; a new Warning reason is also an event.</summary>
    private async Task<ReconcileResult> ReportAsync(Dm dm, bool progressing, string reason, string message, bool warning, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var status = dm.Status ?? new DataMoverStatus();
        var previous = Conditions.Find(status.Conditions, ConditionTypes.Progressing);
        var next = status with
        {
            ObservedGeneration = dm.Metadata.Generation,
            Conditions = Progress(Initial(status.Conditions, dm, now), dm, now, progressing, reason, message),
        };
        var written = await CommitAsync(dm, next, ct);
        if (written is null)
        {
            return ReconcileResult.After(ConflictRetry);
        }

        if (previous?.Reason != reason || previous.Message != message)
        {
            if (warning)
            {
                _metrics.Error(reason, DataMoverPhase.Label(status.Phase), dm.Metadata.Namespace!);
                _events.Warning(dm, reason, message);
            }

            LogWaiting(_logger, dm.Metadata.Namespace!, dm.Metadata.Name!, DataMoverPhase.Label(status.Phase), status.RestoredPvcName ?? "", reason, message);
        }

        return ReconcileResult.Done;
    }

    /// <summary>Writes the status; on a phase change records the transition's metrics exactly once (this write won).</summary>
    private async Task<Dm?> CommitAsync(Dm dm, DataMoverStatus next, CancellationToken ct)
    {
        var previous = dm.Status?.Phase ?? "";
        var written = await _status.WriteAsync(dm, next, ct);
        if (written is null || ReferenceEquals(written, dm))
        {
            return written;
        }

        var current = next.Phase ?? "";
        var ns = dm.Metadata.Namespace!;
        if (current != previous)
        {
            var started = dm.Status?.PhaseStartTime ?? dm.Metadata.CreationTimestamp;
            if (started is { } since)
            {
                _metrics.PhaseDuration.Observe(Math.Max(0, (_time.GetUtcNow() - since).TotalSeconds), DataMoverPhase.Label(previous), ns);
            }

            _metrics.Operations.Increment(1, DataMoverPhase.Label(previous), current == DataMoverPhase.Failed ? DataMoverMetrics.Failure : DataMoverMetrics.Success, ns);
            if (!DataMoverPhase.IsTerminal(current))
            {
                _metrics.Operations.Increment(1, DataMoverPhase.Label(current), DataMoverMetrics.Started, ns);
            }

            _metrics.CurrentPhase.Set(DataMoverPhase.Index(current), dm.Metadata.Name!, ns);
            LogPhase(_logger, ns, dm.Metadata.Name!, DataMoverPhase.Label(previous), DataMoverPhase.Label(current));
        }

        return written with { ApiVersion = DataMoverResources.ApiVersion, Kind = "DataMover" };
    }

    private static IReadOnlyList<Condition> Initial(IReadOnlyList<Condition>? conditions, Dm dm, DateTimeOffset now)
    {
        var list = conditions;
        if (Conditions.Find(list, ConditionTypes.Complete) is null)
        {
            list = Conditions.Set(list, ConditionTypes.Complete, false, "InProgress", "backup not finished", dm.Metadata.Generation, now);
        }

        if (Conditions.Find(list, ConditionTypes.Failed) is null)
        {
            list = Conditions.Set(list, ConditionTypes.Failed, false, "InProgress", "", dm.Metadata.Generation, now);
        }

        return list!;
    }

    private static IReadOnlyList<Condition> Progress(IReadOnlyList<Condition>? conditions, Dm dm, DateTimeOffset now, bool progressing, string reason, string message) =>
        Conditions.Set(conditions, ConditionTypes.Progressing, progressing, reason, message, dm.Metadata.Generation, now);

    private IEnumerable<PersistentVolumeClaim> OwnedClones(Dm dm) =>
        _caches.Pvcs.ByIndex(IndexFuncs.ControllerUid, dm.Metadata.Uid!)
            .Where(p => p.Metadata.Label(DataMoverLabels.Component) == ClonePlanner.Component && p.Metadata.DeletionTimestamp is null);

    private Event? LatestWarning(PersistentVolumeClaim clone) =>
        clone.Metadata.Uid is not { } uid
            ? null
            : _caches.Events.ByIndex(OperatorCaches.ByInvolvedUid, uid)
                .Where(e => e.Type == "Warning")
                .OrderByDescending(e => e.LastTimestamp ?? e.EventTime ?? e.Metadata.CreationTimestamp ?? DateTimeOffset.MinValue)
                .FirstOrDefault();

    private static bool HasCondition(Job job, string type) =>
        job.Status?.Conditions?.Any(c => c.Type == type && c.Status == "True") == true;

    /// <summary>Before the mover reports the full path, destination is the folder inside the bucket ("/" = bucket root).</summary>
    internal static string DestinationOf(string prefix) => prefix.Length == 0 ? "/" : prefix + "/";

    /// <summary>The folder recorded in status.destination, as the mover's DATAMOVER_DESTINATION_PREFIX.</summary>
    internal static string PrefixOf(string? destination) => (destination ?? "").Trim('/');

    [LoggerMessage(Level = LogLevel.Information, Message = "DataMover {Namespace}/{Name}: phase {From} -> {To}")]
    private static partial void LogPhase(ILogger logger, string @namespace, string name, string from, string to);

    [LoggerMessage(Level = LogLevel.Information, Message = "DataMover {Namespace}/{Name}: decided clone {Clone} of PVC {Source}, destination folder {Destination}")]
    private static partial void LogCloneDecided(ILogger logger, string @namespace, string name, string clone, string source, string destination);

    [LoggerMessage(Level = LogLevel.Information, Message = "DataMover {Namespace}/{Name}: created clone PVC {Clone} from PVC {Source}")]
    private static partial void LogCloneCreated(ILogger logger, string @namespace, string name, string clone, string source);

    [LoggerMessage(Level = LogLevel.Warning, Message = "DataMover {Namespace}/{Name}: clone name {Taken} is taken by another owner; using clone {Clone}")]
    private static partial void LogCloneNameTaken(ILogger logger, string @namespace, string name, string taken, string clone);

    [LoggerMessage(Level = LogLevel.Information, Message = "DataMover {Namespace}/{Name}: clone PVC {Clone} is bound")]
    private static partial void LogCloneReady(ILogger logger, string @namespace, string name, string clone);

    [LoggerMessage(Level = LogLevel.Information, Message = "DataMover {Namespace}/{Name}: created mover Job {Job} for clone {Clone}, destination {Destination}")]
    private static partial void LogJobCreated(ILogger logger, string @namespace, string name, string job, string clone, string destination);

    [LoggerMessage(Level = LogLevel.Information, Message = "DataMover {Namespace}/{Name}: deleted clone PVC {Clone}")]
    private static partial void LogCloneDeleted(ILogger logger, string @namespace, string name, string clone);

    [LoggerMessage(Level = LogLevel.Warning, Message = "DataMover {Namespace}/{Name}: clone PVC {Clone} is not owned by this DataMover; not deleting it")]
    private static partial void LogCloneNotOwned(ILogger logger, string @namespace, string name, string clone);

    [LoggerMessage(Level = LogLevel.Information, Message = "DataMover {Namespace}/{Name}: completed; clone {Clone}, Job {Job}, destination {Destination}")]
    private static partial void LogCompleted(ILogger logger, string @namespace, string name, string clone, string job, string destination);

    [LoggerMessage(Level = LogLevel.Warning, Message = "DataMover {Namespace}/{Name}: failed in phase {Phase} (clone {Clone}, Job {Job}): {Reason}: {Message}")]
    private static partial void LogFailed(ILogger logger, string @namespace, string name, string phase, string clone, string job, string reason, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "DataMover {Namespace}/{Name} in phase {Phase} (clone {Clone}): {Reason}: {Message}")]
    private static partial void LogWaiting(ILogger logger, string @namespace, string name, string phase, string clone, string reason, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "DataMover {Namespace}/{Name} in phase {Phase}: API error: {Error}")]
    private static partial void LogApiError(ILogger logger, string? @namespace, string name, string phase, string error);
}
