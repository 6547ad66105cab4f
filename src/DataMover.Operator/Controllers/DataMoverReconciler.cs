using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Kube.Runtime;
using DataMover.Operator.Api;
using DataMover.Operator.Events;
using DataMover.Operator.Metrics;
using DataMover.Operator.Naming;
using DataMover.Operator.Security;
using Dm = DataMover.Operator.Api.DataMover;

namespace DataMover.Operator.Controllers;

/// <summary>
/// Drives one DataMover through its phases as linear ensure-steps: each decides, records the decision in status
/// (with resourceVersion), then creates or observes, and answers "not yet" until its object is ready. A crash at any
/// instant resumes with the same clone, Job and destination folder. Every wait has a deadline (spec.timeouts over
/// the operator's defaults) and a wake-up at that deadline; everything else is woken by the informers.
/// </summary>
internal sealed partial class DataMoverReconciler : IReconciler
{
    /// <summary>How long past moverRun the operator waits for the Job's own activeDeadlineSeconds to fail it.</summary>
    private static readonly TimeSpan JobDeadlineGrace = TimeSpan.FromMinutes(1);

    /// <summary>Progressing reasons the phases open with; the routine waits of each phase continue them.</summary>
    private const string CloneOpening = "CreatingClone";
    private const string MoverJobOpening = "CreatingMoverJob";
    private const string CleanupOpening = "DeletingClone";

    private const string PvcProtectionFinalizer = "kubernetes.io/pvc-protection";

    /// <summary>Reason of a write the API server refused to the operator (403).</summary>
    private const string ForbiddenReason = "Forbidden";

    private readonly OperatorCaches _caches;
    private readonly OwnedObjects<PersistentVolumeClaim> _clones;
    private readonly OwnedObjects<VolumeSnapshot> _snapshots;
    private readonly OwnedObjects<Job> _jobs;
    private readonly ResourceClient<Pod> _pods;
    private readonly StatusCommitter<Dm, DataMoverStatus> _status;
    private readonly WrittenObjects<Dm> _written = new();
    private readonly IEventSink _events;
    private readonly DataMoverMetrics _metrics;
    private readonly BackupDefaults _defaults;
    private readonly MoverAdmission _admission;
    private readonly MoverServiceAccounts _serviceAccounts;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly FolderClaims _folders = new();
    private readonly MirrorDestinationGate _mirrorGate = new();

    public DataMoverReconciler(OperatorCaches caches, KubeClient client, IEventSink events, DataMoverMetrics metrics, BackupDefaults defaults, TimeProvider time, ILogger logger)
    {
        _caches = caches;
        _clones = new OwnedObjects<PersistentVolumeClaim>(client.Resource(KubeResources.PersistentVolumeClaims), caches.Pvcs, ClonePlanner.Component);
        _snapshots = new OwnedObjects<VolumeSnapshot>(client.Resource(KubeResources.VolumeSnapshots), caches.VolumeSnapshots, SnapshotPlanner.Component);
        _jobs = new OwnedObjects<Job>(client.Resource(KubeResources.Jobs), caches.Jobs, MoverJobBuilder.Component);
        _pods = client.Resource(KubeResources.Pods);
        _status = new StatusCommitter<Dm, DataMoverStatus>(client, new DataMoverStatusKind(metrics, time), events, logger, _written);
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
        var dm = _written.Freshest(key, _caches.DataMovers.Get(key));
        var (ns, name) = ObjectKey.Split(key);
        if (dm is null)
        {
            _metrics.CurrentPhase.RemoveLabelled(name, ns ?? "");
            return ReconcileResult.Done;
        }

        // List items may lack apiVersion/kind; events and status writes need them.
        dm = dm with { ApiVersion = DataMoverResources.ApiVersion, Kind = "DataMover" };
        var phase = dm.Status?.Phase ?? DataMoverPhase.Pending;
        _metrics.CurrentPhase.WithLabels(name, ns ?? "").Set(DataMoverPhase.Index(phase));
        if (dm.Metadata.DeletionTimestamp is null && dm.Status?.SnapshotName is not null && IsSnapshotSpent(dm, phase))
        {
            await ReleaseSnapshotAsync(dm, cancellationToken);
        }

        if (dm.Metadata.DeletionTimestamp is not null || DataMoverPhase.IsTerminal(phase))
        {
            // Being deleted: garbage collection removes the clone and Job through their ownerReferences.
            return ReconcileResult.Done;
        }

        try
        {
            return phase switch
            {
                DataMoverPhase.Pending => await AcceptAsync(dm, cancellationToken),
                DataMoverPhase.CreatingClonedPvc => await EnsureCloneAsync(dm, cancellationToken),
                DataMoverPhase.ClonedPvcReady => await StartMoverAsync(dm, null, cancellationToken),
                DataMoverPhase.CreatingPod => await EnsureJobAsync(dm, cancellationToken),
                DataMoverPhase.CleaningUp => await CleanUpAsync(dm, cancellationToken),
                _ => await FailAsync(dm, "UnknownPhase", $"unknown phase \"{phase}\"", cancellationToken),
            };
        }
        catch (KubeApiException e) when (!cancellationToken.IsCancellationRequested)
        {
            // The loop retries with backoff on the latest object; nothing is taken as done. It also logs the error, once.
            _metrics.Error(e.IsForbidden ? ForbiddenReason : e.IsConflict ? "Conflict" : "ApiError", DataMoverPhase.Label(phase), ns ?? "");
            if (e.IsConflict)
            {
                // Someone else wrote since: the retry starts from the informer's copy, not from ours.
                _written.Forget(key);
            }

            if (e.IsForbidden)
            {
                // Typically the status write itself was refused, so status cannot say it: the event (if allowed) does.
                _events.Warning(dm, ForbiddenReason, $"the operator was refused a write in phase {DataMoverPhase.Label(phase)}, retrying: {e.Status.Message ?? e.Message}");
            }

            throw;
        }
    }

    // ---- Pending: validate, wait for the source, decide clone name and destination folder ----

    private async Task<ReconcileResult> AcceptAsync(Dm dm, CancellationToken ct)
    {
        var spec = dm.Spec ?? new DataMoverSpec();
        if (string.IsNullOrEmpty(spec.SourcePvc) || string.IsNullOrEmpty(spec.SecretName))
        {
            return await FailAsync(dm, "InvalidSpec", "spec.sourcePvc and spec.secretName are required", ct);
        }

        if (BucketPath.Problem(spec.Path) is { } pathProblem)
        {
            return await FailAsync(dm, "InvalidSpec", pathProblem, ct);
        }

        if (CopyMethods.Problem(spec.CopyMethod) is { } copyProblem)
        {
            return await FailAsync(dm, "InvalidSpec", copyProblem, ct);
        }

        // Before anything exists: a mover that could be steered by its creator is never started (docs/security.md).
        if (_admission.Check(spec.AdditionalEnv, spec.Image, spec.MoverPod) is { } refused)
        {
            return await FailAsync(dm, refused.Reason, refused.Message, ct);
        }

        var timeouts = _defaults.Timeouts.With(spec.Timeouts, out var errors);
        if (errors.Count > 0)
        {
            return await FailAsync(dm, "InvalidSpec", string.Join("; ", errors), ct);
        }

        var since = dm.Metadata.CreationTimestamp ?? _time.GetUtcNow();
        if (await CheckSourceAsync(dm, spec.SourcePvc, new Deadline(since, timeouts.SourceReady, "SourceReadyTimeout"), ct) is { Blocked: { } blocked })
        {
            return blocked;
        }

        var now = _time.GetUtcNow();
        var cloneName = CloneNamer.Name(spec.SourcePvc, now);
        if (IsCloneNameTaken(dm, cloneName))
        {
            cloneName = CloneNamer.Name(spec.SourcePvc, now, CloneNamer.DisambiguatorFor(dm.Metadata.Uid!));
        }

        string? snapshotName = null;
        if (CopyMethods.IsSnapshot(spec.CopyMethod))
        {
            snapshotName = CloneNamer.SnapshotName(spec.SourcePvc, now);
            if (_caches.VolumeSnapshots.Get(dm.Metadata.Namespace!, snapshotName) is { } taken && !DataMoverLabels.IsControlledBy(taken, dm))
            {
                snapshotName = CloneNamer.SnapshotName(spec.SourcePvc, now, CloneNamer.DisambiguatorFor(dm.Metadata.Uid!));
            }
        }

        var status = dm.Status ?? new DataMoverStatus();
        var prefix = spec.AddTimestampPrefix == true ? _folders.Decide(dm, BucketPath.Normalize(spec.Path), now, _caches.DataMovers.List()) : "";
        var next = status with
        {
            RestoredPvcName = cloneName,
            SnapshotName = snapshotName,
            AcceptedSpec = spec,
            StartTime = status.StartTime ?? now,
            DestinationPrefix = prefix,
            Attempts = 0,
        };
        next = StatusTransitions.Advance(next, dm, now, DataMoverPhase.CreatingClonedPvc, CloneOpening, $"creating clone {cloneName} of PVC {spec.SourcePvc}, destination folder {StatusTransitions.FolderText(next)}");
        var written = await _status.CommitAsync(dm, next, null, ct);
        if (MirrorDestinationGate.IsMirror(written) && !ReferenceEquals(written, dm))
        {
            // Once, with the write that accepts it.
            _events.Warning(written, MirrorDestinationGate.DeletesReason, MirrorDestinationGate.DeletesMessage(written));
        }

        return await EnsureCloneAsync(written, ct);
    }

    /// <summary>Null when the source PVC exists, is Bound and can be cloned; otherwise what the reconcile answers.</summary>
    private async Task<SourceCheck> CheckSourceAsync(Dm dm, string sourceName, Deadline deadline, CancellationToken ct)
    {
        var ns = dm.Metadata.Namespace!;
        var source = _caches.Pvcs.Get(ns, sourceName);
        if (source is null)
        {
            return new(null, await WaitAsync(dm, Wait.Blocked("SourcePVCNotFound", $"source PVC \"{sourceName}\" not found in namespace \"{ns}\"; waiting for it to be created"), deadline, ct));
        }

        if (source.Status?.Phase != "Bound")
        {
            return new(null, await WaitAsync(dm, Wait.Blocked("SourcePVCNotBound", $"source PVC \"{sourceName}\" is {source.Status?.Phase ?? "Pending"}; waiting for it to be Bound"), deadline, ct));
        }

        var className = source.Spec?.StorageClassName;
        var storageClass = string.IsNullOrEmpty(className) ? null : _caches.StorageClasses.Get(null, className);
        if (CloneCapability.WhyNot(className, storageClass, sourceName) is { } why)
        {
            return new(null, await FailAsync(dm, "CloneNotSupported", why, ct));
        }

        if (storageClass is null)
        {
            return new(null, await WaitAsync(dm, Wait.Blocked("StorageClassNotFound", $"storage class \"{className}\" of source PVC \"{sourceName}\" not found; waiting for it"), deadline, ct));
        }

        return new(source, null);
    }

    private bool IsCloneNameTaken(Dm dm, string cloneName)
    {
        var ns = dm.Metadata.Namespace!;
        return (_caches.Pvcs.Get(ns, cloneName) is { } existing && !DataMoverLabels.IsControlledBy(existing, dm))
            || _caches.DataMovers.List(ns).Any(o => o.Metadata.Uid != dm.Metadata.Uid && o.Status?.RestoredPvcName == cloneName);
    }

    // ---- CreatingClonedPVC: create the recorded clone, wait until a pod can mount it ----

    private async Task<ReconcileResult> EnsureCloneAsync(Dm dm, CancellationToken ct)
    {
        var ns = dm.Metadata.Namespace!;
        var status = dm.Status!;
        var spec = status.AcceptedSpec ?? dm.Spec!;
        var deadline = new Deadline(status.PhaseStartTime ?? _time.GetUtcNow(), Timeouts(dm).CloneReady, "CloneReadyTimeout");

        // The source matters only until the clone exists: afterwards the application may do as it likes with it.
        PersistentVolumeClaim? source = null;
        if (_clones.Get(ns, status.RestoredPvcName!) is not { } present || !DataMoverLabels.IsControlledBy(present, dm))
        {
            var check = await CheckSourceAsync(dm, spec.SourcePvc!, deadline, ct);
            if (check.Blocked is { } blocked)
            {
                return blocked;
            }

            source = check.Source;
        }

        var dataSource = source is null ? null : new TypedLocalObjectReference { Kind = "PersistentVolumeClaim", Name = source.Metadata.Name! };
        if (source is not null && CopyMethods.IsSnapshot(spec.CopyMethod))
        {
            var snapshot = await EnsureSnapshotAsync(dm, source, ct);
            if (snapshot.Stop is { } stop)
            {
                return stop;
            }

            dm = snapshot.Dm;
            dataSource = SnapshotPlanner.DataSource(snapshot.Name!);
        }

        var (clone, next) = await EnsureOwnedAsync(dm, _clones, OwnedSlot.Clone, name => ClonePlanner.Build(dm, source!, name, dataSource!, _time.GetUtcNow()), ct);
        if (clone is null)
        {
            return next.Result;
        }

        dm = next.Dm;
        var cloneName = clone.Metadata.Name!;
        if (next.Outcome == StepOutcome.Created)
        {
            // No Event of its own: the status written just before names the clone, and JobCreated names it again.
            _metrics.CloneOperations.WithLabels(DataMoverMetrics.Started, ns).Inc();
        }

        var storageClass = clone.Spec?.StorageClassName is { Length: > 0 } className ? _caches.StorageClasses.Get(null, className) : null;
        if (clone.Status?.Phase == "Lost")
        {
            return await FailAsync(dm, "CloneLost", $"clone {cloneName} lost its volume", ct);
        }

        // A clone of a WaitForFirstConsumer class binds only once a pod using it is scheduled: the mover is that pod.
        var waitsForConsumer = storageClass?.VolumeBindingMode == "WaitForFirstConsumer";
        if (clone.Status?.Phase == "Bound" || waitsForConsumer)
        {
            var message = clone.Status?.Phase == "Bound"
                ? $"clone {cloneName} is bound"
                : $"clone {cloneName} binds on first consumer (storage class {storageClass!.Metadata.Name} is WaitForFirstConsumer); the mover pod will bind it";
            var ready = StatusTransitions.Advance(dm.Status!, dm, _time.GetUtcNow(), DataMoverPhase.ClonedPvcReady, "CloneReady", message + "; creating the mover Job");
            return await StartMoverAsync(dm, ready, ct);
        }

        // Pending: say what the provisioner last complained about, if anything.
        var wait = _caches.LatestWarning(clone) is { } warning
            ? Wait.Blocked("CloneNotReady", $"waiting for clone {cloneName} to be bound: {warning.Reason}: {warning.Message}")
            : Wait.Continuing(CloneOpening, "ClonePending", $"waiting for clone {cloneName} to be bound");
        // From the clone's creation: a snapshot wait before it has its own bound (snapshotReady).
        return await WaitAsync(dm, wait, deadline with { Since = ClonePlanner.CreatedAt(clone) ?? deadline.Since }, ct);
    }

    // ---- CreatingClonedPVC with copyMethod Snapshot: snapshot the source, wait until it is readyToUse ----

    /// <summary>
    /// The ready VolumeSnapshot the clone is restored from, created (or adopted) under the name status records; or
    /// what the reconcile answers while there is none yet. Bounded by snapshotReady from the phase's start.
    /// </summary>
    private async Task<SnapshotStep> EnsureSnapshotAsync(Dm dm, PersistentVolumeClaim source, CancellationToken ct)
    {
        var ns = dm.Metadata.Namespace!;
        var spec = dm.Status!.AcceptedSpec ?? dm.Spec!;
        var deadline = new Deadline(dm.Status.PhaseStartTime ?? _time.GetUtcNow(), Timeouts(dm).SnapshotReady, "SnapshotReadyTimeout");
        if (!_caches.SnapshotsServed)
        {
            var unavailable = deadline with { Reason = "VolumeSnapshotApiUnavailable" };
            return new(dm, null, await WaitAsync(dm, Wait.Blocked("VolumeSnapshotApiUnavailable", "the cluster does not serve snapshot.storage.k8s.io/v1 VolumeSnapshots and VolumeSnapshotClasses (the external-snapshotter CRDs); waiting for them"), unavailable, ct));
        }

        var className = _snapshots.Get(ns, dm.Status.SnapshotName!) is { } present && DataMoverLabels.IsControlledBy(present, dm)
            ? present.Spec?.VolumeSnapshotClassName
            : null;
        if (className is null)
        {
            // The class is the source's driver's: the StorageClass provisioner (CheckSourceAsync made sure it exists).
            var driver = _caches.StorageClasses.Get(null, source.Spec?.StorageClassName ?? "")?.Provisioner ?? "";
            var choice = SnapshotClassChoice.For(spec.VolumeSnapshotClassName, driver, _caches.VolumeSnapshotClasses.List());
            if (choice.Reason is { } reason)
            {
                return new(dm, null, await FailAsync(dm, reason, choice.Message!, ct));
            }

            className = choice.ClassName!;
        }

        var (snapshot, next) = await EnsureOwnedAsync(dm, _snapshots, OwnedSlot.Snapshot, name => SnapshotPlanner.Build(dm, source, name, className), ct);
        if (snapshot is null)
        {
            return new(next.Dm, null, next.Result);
        }

        dm = next.Dm;
        var snapshotName = snapshot.Metadata.Name!;
        if (next.Outcome == StepOutcome.Created)
        {
            _events.Normal(dm, "SnapshotCreated", $"Created VolumeSnapshot {snapshotName} of PVC {spec.SourcePvc} (class {className})");
        }

        if (snapshot.Status?.Error?.Message is { } error)
        {
            return new(dm, null, await FailAsync(dm, "SnapshotFailed", $"VolumeSnapshot {snapshotName} failed: {PodDiagnostics.Quote(error)}", ct));
        }

        if (snapshot.Status?.ReadyToUse != true)
        {
            return new(dm, null, await WaitAsync(dm, Wait.Progressing("SnapshotPending", $"waiting for VolumeSnapshot {snapshotName} of PVC {spec.SourcePvc} to be readyToUse"), deadline, ct));
        }

        return new(dm, snapshotName, null);
    }

    /// <summary>
    /// Whether the snapshot has served its purpose: the clone restored from it is Bound (the provisioner has copied
    /// it), or the backup is over either way. Keeping it would only hold storage.
    /// </summary>
    private bool IsSnapshotSpent(Dm dm, string phase) =>
        DataMoverPhase.IsTerminal(phase)
        || _clones.Get(dm.Metadata.Namespace!, dm.Status!.RestoredPvcName ?? "") is { Status.Phase: "Bound" } clone && DataMoverLabels.IsControlledBy(clone, dm);

    private async Task ReleaseSnapshotAsync(Dm dm, CancellationToken ct)
    {
        foreach (var snapshot in _snapshots.OwnedBy(dm).ToList())
        {
            await _snapshots.DeleteAsync(snapshot, "Background", ct);
            LogSnapshotDeleting(_logger, dm.Metadata.Namespace!, dm.Metadata.Name!, snapshot.Metadata.Name!);
            _events.Normal(dm, "SnapshotDeleted", $"Deleted VolumeSnapshot {snapshot.Metadata.Name}: the clone is restored from it or the backup is over");
        }
    }

    // ---- ClonedPVCReady: decide and record the Job name ----

    /// <summary>
    /// From ClonedPVCReady, or straight from CreatingClonedPVC with <paramref name="ready"/> (the clone just became
    /// ready): when the destination is free, both steps are one status write that records the Job name before the
    /// Job is created, as two writes would.
    /// </summary>
    private async Task<ReconcileResult> StartMoverAsync(Dm dm, DataMoverStatus? ready, CancellationToken ct)
    {
        if (_mirrorGate.Enter(dm, _caches.DataMovers.ByIndex(MirrorDestinationGate.Index, MirrorDestinationGate.Keys(dm).FirstOrDefault() ?? "")) is { } holder)
        {
            if (ready is not null)
            {
                dm = await _status.CommitAsync(dm, ready, null, ct);
            }

            // Woken when the holder changes phase (DataMoverController); bounded by moverStart from this phase's start.
            var busy = new Deadline(dm.Status!.PhaseStartTime ?? _time.GetUtcNow(), Timeouts(dm).MoverStart, "MoverStartTimeout");
            return await WaitAsync(dm, Wait.Blocked(MirrorDestinationGate.BusyReason, MirrorDestinationGate.BusyMessage(dm, holder)), busy, ct);
        }

        var status = ready ?? dm.Status!;
        var jobName = status.JobName ?? JobNamer.Name(dm.Metadata.Name!);
        var next = StatusTransitions.Advance(status with { JobName = jobName }, dm, _time.GetUtcNow(), DataMoverPhase.CreatingPod, MoverJobOpening,
            $"creating mover Job {jobName} to copy clone {status.RestoredPvcName} to folder {StatusTransitions.FolderText(status)}");
        var written = await _status.CommitAsync(dm, ready is null ? [] : [ready], next, null, ct);
        return await EnsureJobAsync(written, ct);
    }

    // ---- CreatingPod: create the recorded Job, follow it and its pods ----

    private async Task<ReconcileResult> EnsureJobAsync(Dm dm, CancellationToken ct)
    {
        var ns = dm.Metadata.Namespace!;
        var status = dm.Status!;
        var spec = status.AcceptedSpec ?? dm.Spec!;
        var timeouts = Timeouts(dm);
        if (_jobs.Get(ns, status.JobName!) is null && !_jobs.OwnedBy(dm).Any()
            && _clones.Get(ns, status.RestoredPvcName!) is null && await _clones.GetLiveAsync(ns, status.RestoredPvcName!, ct) is null)
        {
            return await FailAsync(dm, "CloneMissing", $"clone {status.RestoredPvcName} was deleted before the mover Job was created", ct);
        }

        var podSettings = MoverPodSettingsResolver.Resolve(_defaults.MoverPod, spec.MoverPod);
        if (_jobs.Get(ns, status.JobName!) is null && !_jobs.OwnedBy(dm).Any() && string.IsNullOrEmpty(podSettings.ServiceAccountName))
        {
            // The pod names it, and the API server refuses a pod whose ServiceAccount does not exist. A user's own
            // ServiceAccount (workload identity) is never created or changed: a missing one shows as the Job's FailedCreate.
            try
            {
                if (await _serviceAccounts.EnsureAsync(ns, ct))
                {
                    LogCreated(_logger, ns, dm.Metadata.Name!, "ServiceAccount", MoverServiceAccounts.Name);
                }
            }
            catch (KubeApiException e) when (e.IsForbidden)
            {
                return await FailAsync(dm, ForbiddenReason, Forbidden("create", "serviceaccounts", ns, e), ct);
            }
        }

        var capacity = _clones.Get(ns, status.RestoredPvcName!)?.Spec?.Resources?.Requests?.GetValueOrDefault("storage");
        IReadOnlyList<string> dropped = [];
        var (job, next) = await EnsureOwnedAsync(dm, _jobs, OwnedSlot.Job, name =>
        {
            var plan = MoverJobBuilder.Build(dm, spec, new MoverJobPlan(name, status.RestoredPvcName!, status.DestinationPrefix ?? "", _defaults.MoverImage, timeouts.MoverRun, capacity, podSettings));
            dropped = plan.Dropped;
            return plan.Job;
        }, ct);
        if (job is null)
        {
            if (next.Outcome == StepOutcome.CreateRefused)
            {
                _metrics.PodCreations.WithLabels(DataMoverMetrics.Failure, ns).Inc();
            }

            return next.Result;
        }

        if (next.Outcome == StepOutcome.Created)
        {
            _metrics.PodCreations.WithLabels(DataMoverMetrics.Success, ns).Inc();
            _events.Normal(dm, "JobCreated", $"Created mover Job {job.Metadata.Name} to copy clone {status.RestoredPvcName} to folder {StatusTransitions.FolderText(status)}");
            if (dropped.Count > 0)
            {
                _events.Warning(dm, "EnvVarIgnored", $"spec.additionalEnv entries {string.Join(", ", dropped)} are not allowed and were ignored");
            }
        }

        return await ObserveJobAsync(next.Dm, job, ct);
    }

    private async Task<ReconcileResult> ObserveJobAsync(Dm dm, Job job, CancellationToken ct)
    {
        var status = dm.Status!;
        var spec = status.AcceptedSpec ?? dm.Spec!;
        var timeouts = Timeouts(dm);
        var jobName = job.Metadata.Name!;
        var pods = job.Metadata.Uid is { } uid ? _caches.Pods.ByIndex(IndexFuncs.ControllerUid, uid) : [];
        var attempts = Math.Max(pods.Count, (job.Status?.Failed ?? 0) + (job.Status?.Active ?? 0) + (job.Status?.Succeeded ?? 0));
        dm = dm with { Status = status = status with { Attempts = attempts } };
        var now = _time.GetUtcNow();

        if (JobCondition(job, "Complete") is not null)
        {
            var message = PodDiagnostics.TerminationMessage(pods, failed: false)
                ?? PodDiagnostics.TerminationMessage(await LivePodsAsync(dm, job, ct), failed: false);

            // Exit 0 is not proof: only the protocol's result for this backup's path and folder is (docs/mover-protocol.md).
            var (result, problem) = MoverResult.Verify(message, MoverJobBuilder.BackupMode, spec.Path ?? "", status.DestinationPrefix ?? "");
            if (result is null)
            {
                return await FailAsync(dm, "MoverResultInvalid", $"mover Job {jobName} succeeded but did not prove the backup: {problem}; clone {status.RestoredPvcName} kept", ct);
            }

            if (result.IgnoredSecretKeys is { Count: > 0 } ignored)
            {
                _events.Warning(dm, "SecretKeysIgnored", $"the mover ignored keys of Secret {spec.SecretName} that are not allowed: {string.Join(", ", ignored.Take(50).Select(PodDiagnostics.Quote))}");
            }

            // Only what the mover reported: the operator never reads the Secret, so it does not know the bucket.
            status = status with { Destination = result.Destination is { Length: > 0 } d ? PodDiagnostics.Quote(d) : null };
            _metrics.BackupSucceeded(dm.Metadata.Namespace ?? "", spec.SourcePvc ?? "", result.Bytes, result.Files, now);
            var done = Notice.Normal("BackupSucceeded", $"Mover Job {jobName} copied clone {status.RestoredPvcName} to {StatusTransitions.Where(status)}" +
                (result.Files is { } files ? $" ({files} files, {result.Bytes ?? 0} bytes, verified: {PodDiagnostics.Quote(result.Verified ?? "none")})" : ""));
            if (spec.DeletePvcAfterBackup == true)
            {
                var cleaning = StatusTransitions.Advance(status, dm, now, DataMoverPhase.CleaningUp, CleanupOpening, $"backup done; deleting mover Job {jobName} and clone {status.RestoredPvcName}");
                return await CleanUpAsync(await _status.CommitAsync(dm, cleaning, done, ct), ct);
            }

            await _status.CommitAsync(dm, StatusTransitions.Complete(status, dm, now), done, ct);
            return ReconcileResult.Done;
        }

        if (JobCondition(job, "Failed") is { } failed)
        {
            var message = PodDiagnostics.Quote(PodDiagnostics.TerminationMessage(pods, failed: true)
                ?? PodDiagnostics.TerminationMessage(await LivePodsAsync(dm, job, ct), failed: true)
                ?? failed.Message
                ?? "mover Job failed");
            return failed.Reason == "DeadlineExceeded"
                ? await FailAsync(dm, "MoverRunTimeout", $"mover Job {jobName} did not finish within {KubeDuration.Format(timeouts.MoverRun)} (its activeDeadlineSeconds); clone {status.RestoredPvcName} kept: {message}", ct)
                : await FailAsync(dm, "MoverFailed", $"mover Job {jobName} failed{(failed.Reason is { } r ? $" ({r})" : "")} after {attempts} attempt(s); clone {status.RestoredPvcName} kept: {message}", ct);
        }

        var started = pods.Any(p => p.Status?.Phase is "Running" or "Succeeded" or "Failed");
        if (started)
        {
            // The Job's activeDeadlineSeconds ends a hung mover; this backstop covers a job controller that does not.
            var backstop = new Deadline(status.PhaseStartTime ?? now, timeouts.MoverRun + JobDeadlineGrace, "MoverRunTimeout", Cleanup: job);
            var copying = $"mover Job {jobName} is copying clone {status.RestoredPvcName} to folder {StatusTransitions.FolderText(status)} (attempt {Math.Max(attempts, 1)})";
            return await WaitAsync(dm, attempts > 1 ? Wait.Progressing("MoverRunning", copying) : Wait.Continuing(MoverJobOpening, "MoverRunning", copying), backstop, ct);
        }

        var deadline = new Deadline(status.PhaseStartTime ?? now, timeouts.MoverStart, "MoverStartTimeout", Cleanup: job);
        foreach (var pod in pods.Where(p => p.Status?.Phase is null or "Pending"))
        {
            if (PodDiagnostics.Blocked(pod) is { } blocked)
            {
                return await WaitAsync(dm, Wait.Blocked("MoverPodBlocked", $"mover pod {pod.Metadata.Name} cannot start: {blocked.Reason}: {blocked.Message}"), deadline, ct);
            }

            if (PodDiagnostics.Unschedulable(pod) is { } why)
            {
                var clone = _clones.Get(dm.Metadata.Namespace!, status.RestoredPvcName!);
                var cloneWarning = clone is null ? null : _caches.LatestWarning(clone);
                var detail = cloneWarning is null ? why : $"{why}; clone {status.RestoredPvcName}: {cloneWarning.Reason}: {cloneWarning.Message}";
                return await WaitAsync(dm, Wait.Progressing("MoverPodPending", $"mover pod {pod.Metadata.Name} is not scheduled yet: {detail}"), deadline, ct);
            }
        }

        if (pods.Count == 0 && PodDiagnostics.FailedCreate(job, _caches) is { } refused)
        {
            // The API server refused the pod (a spec.moverPod.serviceAccountName that does not exist, say): the job
            // controller retries, but only the user can fix it.
            return await WaitAsync(dm, Wait.Blocked("MoverPodNotCreated", $"the job controller cannot create the pod of mover Job {jobName}: {PodDiagnostics.Quote(refused.Message ?? "")}"), deadline, ct);
        }

        return await WaitAsync(dm, Wait.Continuing(MoverJobOpening, "MoverPending", $"waiting for mover Job {jobName} to start"), deadline, ct);
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

    // ---- CleaningUp: remove what holds the clone, delete the clone, complete once it is gone ----

    private async Task<ReconcileResult> CleanUpAsync(Dm dm, CancellationToken ct)
    {
        var ns = dm.Metadata.Namespace!;
        var status = dm.Status!;
        var cloneName = status.RestoredPvcName!;

        // The finished mover pods keep the clone in use (pvc-protection counts every scheduled pod, whatever its
        // phase): deleting the Job lets garbage collection remove them. Its outcome is already in status.
        if (status.JobName is { } jobName && _jobs.Get(ns, jobName) is { } job && job.Metadata.DeletionTimestamp is null && DataMoverLabels.IsOwnedBy(job, dm))
        {
            await _jobs.DeleteAsync(job, "Background", ct);
        }

        var clone = _clones.Get(ns, cloneName) ?? await _clones.GetLiveAsync(ns, cloneName, ct);
        if (clone is not null && !DataMoverLabels.IsOwnedBy(clone, dm))
        {
            // The name now belongs to something that is not ours: ours is gone, and this one is left alone.
            var notOurs = Notice.Warning("CloneNotOwned", $"PVC {cloneName} does not carry this DataMover's labels and ownerReference; not deleted");
            await _status.CommitAsync(dm, StatusTransitions.Complete(status, dm, _time.GetUtcNow()), notOurs, ct);
            return ReconcileResult.Done;
        }

        if (clone is null)
        {
            // No Event: BackupSucceeded said the backup is done, and the phase (and the log) that the clone is gone.
            await _status.CommitAsync(dm, StatusTransitions.Complete(status, dm, _time.GetUtcNow()), null, ct);
            LogCloneDeleted(_logger, ns, dm.Metadata.Name!, cloneName);
            return ReconcileResult.Done;
        }

        if (clone.Metadata.DeletionTimestamp is null)
        {
            await _clones.DeleteAsync(clone, "Background", ct);
            LogCloneDeleting(_logger, ns, dm.Metadata.Name!, cloneName);
        }

        var holding = _caches.Pods.ByIndex(OperatorCaches.ByClaim, ObjectKey.Of(ns, cloneName));
        var holders = string.Join(", ", holding.Select(p => p.Metadata.Name));
        var finalizers = string.Join(", ", clone.Metadata.Finalizers ?? []);
        var detail = (holders.Length > 0 ? $"; used by pods {holders}" : "") + (finalizers.Length > 0 ? $"; finalizers {finalizers}" : "");
        var deadline = new Deadline(status.PhaseStartTime ?? _time.GetUtcNow(), Timeouts(dm).Cleanup, "CleanupTimeout");
        var message = $"waiting for clone {cloneName} to be deleted{detail}";

        // Only the mover's own pods (going with its Job) and pvc-protection in the way is the normal course; anything
        // else is someone else's doing and worth saying in status.
        var routine = holding.All(p => p.Metadata.Label(DataMoverLabels.DataMoverUid) == dm.Metadata.Uid) && (clone.Metadata.Finalizers ?? []).All(f => f == PvcProtectionFinalizer);
        return await WaitAsync(dm, routine ? Wait.Continuing(CleanupOpening, CleanupOpening, message) : Wait.Progressing(CleanupOpening, message), deadline, ct);
    }

    // ---- shared steps ----

    /// <summary>
    /// Ensures the object whose name status records in <paramref name="slot"/> exists and is this DataMover's:
    /// adopts one it owns under another name, and moves to the DataMover's own fallback name when someone else's
    /// object holds the recorded one. The name is always recorded before the create, so a crash never duplicates.
    /// </summary>
    private async Task<(T? Object, Progress Next)> EnsureOwnedAsync<T>(Dm dm, OwnedObjects<T> objects, OwnedSlot slot, Func<string, T> build, CancellationToken ct)
        where T : KubeObject
    {
        // The plain name, two fallbacks, and one move to a name this DataMover already owns.
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var name = slot.Recorded(dm.Status!);
            Ensured<T> ensured;
            try
            {
                ensured = await objects.EnsureAsync(dm, name, build, ct);
            }
            catch (KubeApiException e) when (e.IsForbidden)
            {
                // The operator's own permissions (RBAC, OwnerReferencesPermissionEnforcement): said as such, not as a bad spec.
                var failed = await FailAsync(dm, ForbiddenReason, Forbidden("create", slot.Resource, dm.Metadata.Namespace!, e), ct);
                return (null, new Progress(dm, failed, StepOutcome.CreateRefused));
            }
            catch (KubeApiException e) when (e.IsInvalid)
            {
                // No retry can change the answer: the object as built is refused (quota, policy, admission).
                var failed = await FailAsync(dm, slot.Kind + "CreationFailed", $"Failed to create {slot.Noun} {name}: {e.Status.Message ?? e.Message}", ct);
                return (null, new Progress(dm, failed, StepOutcome.CreateRefused));
            }

            switch (ensured.Outcome)
            {
                case EnsureOutcome.Existing:
                    return (ensured.Object, new Progress(dm, ReconcileResult.Done, StepOutcome.Existing));
                case EnsureOutcome.Created:
                    LogCreated(_logger, dm.Metadata.Namespace!, dm.Metadata.Name!, slot.Kind, name);
                    return (ensured.Object, new Progress(dm, ReconcileResult.Done, StepOutcome.Created));
                case EnsureOutcome.OwnedElsewhere:
                    dm = await _status.CommitAsync(dm, slot.Record(dm.Status!, ensured.Object.Metadata.Name!), null, ct);
                    break;
                default:
                    if (slot.FallbackAfter(dm, name) is not { } fallback)
                    {
                        return (null, new Progress(dm, await FailAsync(dm, slot.Kind + "NameTaken", $"{slot.Kind} {name} exists and is not owned by this DataMover", ct), StepOutcome.Stopped));
                    }

                    dm = await _status.CommitAsync(dm, slot.Record(dm.Status!, fallback), Notice.Warning(slot.Kind + "NameTaken", $"{slot.Kind} {name} belongs to someone else; using {fallback}"), ct);
                    break;
            }
        }

        throw new InvalidOperationException($"{slot.Kind} name of DataMover {dm.Metadata.Name} did not settle");
    }

    /// <summary>Reports the wait; past its deadline fails the DataMover instead, removing what would otherwise run on.</summary>
    private async Task<ReconcileResult> WaitAsync(Dm dm, Wait wait, Deadline deadline, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var due = deadline.Since + deadline.Limit;
        if (now >= due)
        {
            if (deadline.Cleanup is { } job && DataMoverLabels.IsOwnedBy(job, dm))
            {
                // A mover that starts after the DataMover has failed would still write to the bucket.
                await _jobs.DeleteAsync(job, "Background", ct);
            }

            return await FailAsync(dm, deadline.Reason, $"gave up after {KubeDuration.Format(deadline.Limit)}: {wait.Message}", ct);
        }

        var status = dm.Status ?? new DataMoverStatus();
        var previous = Conditions.Find(status.Conditions, ConditionTypes.Progressing);
        if (wait.Continues is { } opening && previous is { Status: "True" } && previous.Reason == opening && status.ObservedGeneration == dm.Metadata.Generation)
        {
            // The condition the phase opened with already says this: rewriting it would tell no one anything new.
            return ReconcileResult.After(due - now);
        }

        var next = StatusTransitions.Report(status, dm, now, wait);
        var changed = previous?.Reason != wait.Reason || previous.Message != wait.Message;
        await _status.CommitAsync(dm, next, changed && wait.IsBlocked ? Notice.Warning(wait.Reason, wait.Message) : null, ct);
        return ReconcileResult.After(due - now);
    }

    private async Task<ReconcileResult> FailAsync(Dm dm, string reason, string message, CancellationToken ct)
    {
        var next = StatusTransitions.Fail(dm.Status ?? new DataMoverStatus(), dm, _time.GetUtcNow(), reason, message);
        await _status.CommitAsync(dm, next, Notice.Warning(reason, message), ct);
        return ReconcileResult.Done;
    }

    /// <summary>A refused write, naming the verb and resource, with the API server's own words.</summary>
    private static string Forbidden(string verb, string resource, string ns, KubeApiException e) =>
        $"cannot {verb} {resource} in namespace {ns}: {e.Status.Message ?? e.Message}";

    private BackupTimeouts Timeouts(Dm dm) => _defaults.Timeouts.With((dm.Status?.AcceptedSpec ?? dm.Spec)?.Timeouts, out _);

    private static JobCondition? JobCondition(Job job, string type) =>
        job.Status?.Conditions?.FirstOrDefault(c => c.Type == type && c.Status == "True");


    /// <summary>The DataMover after the snapshot step's writes, and the ready snapshot's name or what to answer.</summary>
    private readonly record struct SnapshotStep(Dm Dm, string? Name, ReconcileResult? Stop);

    private readonly record struct SourceCheck(PersistentVolumeClaim? Source, ReconcileResult? Blocked);

    /// <summary>The DataMover after a step's status writes, what to answer the loop when the step stops, and how it went.</summary>
    private readonly record struct Progress(Dm Dm, ReconcileResult Result, StepOutcome Outcome);

    private enum StepOutcome
    {
        Existing,
        Created,
        Stopped,
        CreateRefused,
    }

    /// <summary>A wait's start and bound, the failure reason when it runs out, and the Job to remove then.</summary>
    private sealed record Deadline(DateTimeOffset Since, TimeSpan Limit, string Reason, Job? Cleanup = null);

    [LoggerMessage(Level = LogLevel.Information, Message = "DataMover {Namespace}/{Name}: created {Kind} {Object}")]
    private static partial void LogCreated(ILogger logger, string @namespace, string name, string kind, string @object);

    [LoggerMessage(Level = LogLevel.Information, Message = "DataMover {Namespace}/{Name}: deleting VolumeSnapshot {Snapshot}")]
    private static partial void LogSnapshotDeleting(ILogger logger, string @namespace, string name, string snapshot);

    [LoggerMessage(Level = LogLevel.Information, Message = "DataMover {Namespace}/{Name}: clone PVC {Clone} is deleted")]
    private static partial void LogCloneDeleted(ILogger logger, string @namespace, string name, string clone);

    [LoggerMessage(Level = LogLevel.Information, Message = "DataMover {Namespace}/{Name}: deleting clone PVC {Clone}")]
    private static partial void LogCloneDeleting(ILogger logger, string @namespace, string name, string clone);
}
