using System.Collections.Concurrent;
using System.Globalization;
using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Kube.Runtime;

namespace DataMover.Sandbox.ControlPlane;

/// <summary>
/// The job controller and the ttl-after-finished controller: creates pods from the template, keeps the status
/// counters and conditions (see <see cref="JobStatusCalculator"/>), and deletes finished jobs once their TTL passes.
/// </summary>
internal sealed partial class JobController : IReconciler
{
    private readonly Informer<Job> _jobs;
    private readonly Informer<Pod> _pods;
    private readonly ResourceClient<Job> _jobClient;
    private readonly ResourceClient<Pod> _podClient;
    private readonly EventEmitter _events;
    private readonly ControlPlaneOptions _options;
    private readonly ILogger _logger;

    // Pods created but not yet seen by the informer, so a quick second sync does not create them again
    // (client-go's "expectations").
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, DateTimeOffset>> _expected = new();

    // Uids of finished pods already added to a job's counters, until their tracking finalizer is gone.
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _counted = new();
    // The resourceVersion of the last status this controller wrote per job uid, to recognise a cache still behind it.
    private readonly ConcurrentDictionary<string, string> _writtenVersions = new();
    private const string JobKeyIndex = "job-key";

    // kube-controller-manager's ExpectationsTimeout: a create never observed stops blocking after this.
    private static readonly TimeSpan ExpectationsTimeout = TimeSpan.FromMinutes(5);

    private static readonly KubePatch TrackingFinalizerRemoval =
        KubePatch.StrategicMerge($$$"""{"metadata":{"$deleteFromPrimitiveList/finalizers":["{{{JobStatusCalculator.TrackingFinalizer}}}"]}}""");

    public JobController(KubeClient client, InformerSet informers, ControlPlaneOptions options, ILoggerFactory loggers)
    {
        _logger = loggers.CreateLogger<JobController>();
        _options = options;
        _jobs = informers.Get(KubeResources.Jobs);
        _pods = informers.Get(KubeResources.Pods);
        _jobClient = client.Resource(KubeResources.Jobs);
        _podClient = client.Resource(KubeResources.Pods);
        _events = new EventEmitter(client, "job-controller", null, _logger);
        Loop = new ControllerLoop("job-controller", this, options.Workers, _logger);

        _pods.AddIndex(IndexFuncs.ControllerUid, IndexFuncs.ByControllerUid);
        _pods.AddIndex(JobKeyIndex, p => p.Metadata.ControllerReference() is { Kind: "Job" } o ? [ObjectKey.Of(p.Metadata.Namespace, o.Name)] : []);
        _jobs.AddHandler(InformerHandler<Job>.Any(j => Loop.Enqueue(j.Key())));
        _pods.AddHandler(InformerHandler<Pod>.Any(p =>
        {
            if (p.Metadata.ControllerReference() is { Kind: "Job" } owner)
            {
                if (_expected.TryGetValue(owner.Uid, out var pending))
                {
                    pending.TryRemove(p.Metadata.Name!, out _);
                }

                Loop.Enqueue(ObjectKey.Of(p.Metadata.Namespace, owner.Name));
            }
        }));
    }

    public ControllerLoop Loop { get; }

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var job = _jobs.Get(key);
        await ReleaseOrphansAsync(key, job, cancellationToken);
        if (job?.Spec is null || job.Metadata.DeletionTimestamp is not null)
        {
            return ReconcileResult.Done;
        }

        var now = DateTimeOffset.UtcNow;
        if (JobStatusCalculator.IsFinished(job))
        {
            await ReleaseCountedAsync(job, _pods.ByIndex(IndexFuncs.ControllerUid, job.Metadata.Uid!), all: true, cancellationToken);
            return await ExpireAsync(job, now, cancellationToken);
        }

        if (job.Spec.Suspend == true)
        {
            return ReconcileResult.Done;
        }

        var uid = job.Metadata.Uid!;
        if (IsBehindOwnWrite(job))
        {
            // The cache has not caught up with the status this controller wrote last: acting on the older counters
            // would start a pod for a completion already counted. The write's watch event enqueues the job again.
            return ReconcileResult.Done;
        }

        // Expectations are read before the pod cache, as client-go's SatisfiedExpectations is checked before listing:
        // a create observed in between is then either in the snapshot or in the listed pods, never in neither.
        var pending = _expected.GetOrAdd(uid, _ => new ConcurrentDictionary<string, DateTimeOffset>());
        var expected = pending.ToArray();
        var pods = _pods.ByIndex(IndexFuncs.ControllerUid, uid);
        var listed = pods.Select(p => p.Metadata.Name).ToHashSet();
        var inFlight = 0;
        foreach (var (name, at) in expected)
        {
            if (listed.Contains(name) || now - at > ExpectationsTimeout)
            {
                pending.TryRemove(name, out _);
            }
            else
            {
                inFlight++;
            }
        }

        var counted = _counted.GetOrAdd(uid, _ => new ConcurrentDictionary<string, byte>());
        var countedSet = counted.Keys.ToHashSet();
        var fresh = JobStatusCalculator.Uncounted(pods, countedSet).ToList();
        var plan = JobStatusCalculator.Compute(job, pods, inFlight, now, _options.JobPodFailureBackoff, _options.JobPodFailureBackoffMax, countedSet);
        foreach (var pod in plan.PodsToDelete)
        {
            try
            {
                await _podClient.DeleteAsync(pod.Metadata.Namespace, pod.Metadata.Name!, DeleteOptions.Background, cancellationToken);
                _events.Normal(job, "SuccessfulDelete", $"Deleted pod: {pod.Metadata.Name}");
            }
            catch (KubeApiException e) when (e.IsNotFound)
            {
                // Already gone.
            }
        }

        for (var i = 0; i < plan.PodsToCreate; i++)
        {
            Pod created;
            try
            {
                created = await _podClient.CreateAsync(NewPod(job), cancellationToken);
            }
            catch (KubeApiException e)
            {
                // The pod control's FailedCreate ("Error creating: <apiserver message>"); the error still ends the
                // sync, so the loop retries with backoff as the real controller's returned error does.
                _events.Warning(job, "FailedCreate", "Error creating: " + (e.Status.Message ?? e.Message));
                throw;
            }

            pending[created.Metadata.Name!] = now;
            _events.Normal(job, "SuccessfulCreate", $"Created pod: {created.Metadata.Name}");
        }

        if (!SameStatus(job.Status, plan.Status))
        {
            // A conflict propagates: the loop syncs again with backoff, as the real controller's returned error does.
            // A newer version may be on its way, but a refused write is not proof of one.
            var written = await _jobClient.ReplaceStatusAsync(job with { Status = plan.Status }, cancellationToken);
            _writtenVersions[uid] = written.Metadata.ResourceVersion ?? "";

            foreach (var (type, reason, message) in plan.Events)
            {
                await _events.RecordAsync(job, type, reason, message);
            }
        }

        // Counted now: their finalizers can go.
        foreach (var p in fresh)
        {
            counted[p.Metadata.Uid!] = 0;
        }

        await ReleaseCountedAsync(job, pods, all: false, cancellationToken);

        return plan.RequeueAfter is { } delay ? ReconcileResult.After(delay + TimeSpan.FromMilliseconds(50)) : ReconcileResult.Done;
    }

    private async Task<ReconcileResult> ExpireAsync(Job job, DateTimeOffset now, CancellationToken cancellationToken)
    {
        _expected.TryRemove(job.Metadata.Uid!, out _);
        if (job.Spec!.TtlSecondsAfterFinished is not { } ttl || JobStatusCalculator.FinishedAt(job) is not { } finished)
        {
            return ReconcileResult.Done;
        }

        var left = finished + TimeSpan.FromSeconds(ttl) - now;
        if (left > TimeSpan.Zero)
        {
            return ReconcileResult.After(left + TimeSpan.FromMilliseconds(50));
        }

        // The ttl-after-finished controller deletes with foreground propagation and a uid precondition.
        try
        {
            await _jobClient.DeleteAsync(job.Metadata.Namespace, job.Metadata.Name!, new DeleteOptions
            {
                PropagationPolicy = "Foreground",
                Preconditions = new Preconditions { Uid = job.Metadata.Uid },
            }, cancellationToken);
            LogExpired(_logger, job.Key());
        }
        catch (KubeApiException e) when (e.IsNotFound || e.IsConflict)
        {
            // Gone or replaced meanwhile.
        }

        return ReconcileResult.Done;
    }

    /// <summary>Removes the tracking finalizer from finished pods already counted (or from all, once the job is done).</summary>
    private async Task ReleaseCountedAsync(Job job, IReadOnlyList<Pod> pods, bool all, CancellationToken cancellationToken)
    {
        var counted = _counted.GetOrAdd(job.Metadata.Uid!, _ => new ConcurrentDictionary<string, byte>());
        foreach (var pod in pods.Where(p => p.Metadata.Finalizers?.Contains(JobStatusCalculator.TrackingFinalizer) == true))
        {
            var release = (WellKnown.IsTerminal(pod) && (all || counted.ContainsKey(pod.Metadata.Uid!)))
                || (pod.Metadata.DeletionTimestamp is not null && (all || string.IsNullOrEmpty(pod.Spec?.NodeName)));
            if (release)
            {
                // The uid stays in the counted set until the cache shows the finalizer gone, or a stale cached copy
                // would be counted again.
                await RemoveTrackingFinalizerAsync(pod, cancellationToken);
            }
        }

        var tracked = pods.Where(p => p.Metadata.Finalizers?.Contains(JobStatusCalculator.TrackingFinalizer) == true).Select(p => p.Metadata.Uid).ToHashSet();
        foreach (var uid in counted.Keys.Where(u => !tracked.Contains(u)))
        {
            counted.TryRemove(uid, out _);
        }
    }

    /// <summary>
    /// Pods whose job is gone or being deleted keep nothing to count: their finalizer goes once they no longer run
    /// (or at once if they never got a node), as the real controller does for orphaned pods.
    /// </summary>
    private async Task ReleaseOrphansAsync(string key, Job? job, CancellationToken cancellationToken)
    {
        var deleting = job?.Metadata.DeletionTimestamp is not null;
        foreach (var pod in _pods.ByIndex(JobKeyIndex, key))
        {
            var ownedByLiveJob = job is not null && !deleting && pod.Metadata.ControllerReference()?.Uid == job.Metadata.Uid;
            if (ownedByLiveJob || pod.Metadata.Finalizers?.Contains(JobStatusCalculator.TrackingFinalizer) != true)
            {
                continue;
            }

            if (WellKnown.IsTerminal(pod) || string.IsNullOrEmpty(pod.Spec?.NodeName) || (job is null && pod.Metadata.DeletionTimestamp is null))
            {
                await RemoveTrackingFinalizerAsync(pod, cancellationToken);
            }
        }

        if (job is null)
        {
            var live = _jobs.List().Select(j => j.Metadata.Uid).ToHashSet();
            foreach (var uid in _counted.Keys.Where(u => !live.Contains(u)))
            {
                _counted.TryRemove(uid, out _);
            }

            foreach (var uid in _writtenVersions.Keys.Where(u => !live.Contains(u)))
            {
                _writtenVersions.TryRemove(uid, out _);
                _expected.TryRemove(uid, out _);
            }
        }
    }

    /// <summary>
    /// job_controller.go removeTrackingFinalizerPatch: a strategic merge patch deleting the one finalizer, without a
    /// resourceVersion, so the kubelet's status write in between does not turn it into a conflict and a retry.
    /// </summary>
    private async Task RemoveTrackingFinalizerAsync(Pod pod, CancellationToken cancellationToken)
    {
        try
        {
            await _podClient.PatchAsync(pod.Metadata.Namespace, pod.Metadata.Name!, TrackingFinalizerRemoval, cancellationToken: cancellationToken);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            // Already gone.
        }
    }

    /// <summary>
    /// True when the cached job is older than the status this controller wrote. The sandbox's resourceVersions are
    /// integers, so they can be ordered; anything else is taken as current.
    /// </summary>
    private bool IsBehindOwnWrite(Job job) =>
        _writtenVersions.TryGetValue(job.Metadata.Uid!, out var written)
        && long.TryParse(written, CultureInfo.InvariantCulture, out var writtenRv)
        && long.TryParse(job.Metadata.ResourceVersion, CultureInfo.InvariantCulture, out var cachedRv)
        && cachedRv < writtenRv;

    private static Pod NewPod(Job job)
    {
        var template = job.Spec!.Template;
        var labels = new Dictionary<string, string>(template.Metadata?.Labels ?? new Dictionary<string, string>())
        {
            [WellKnown.ControllerUidLabel] = job.Metadata.Uid!,
            [WellKnown.JobNameLabel] = job.Metadata.Name!,
            [WellKnown.LegacyControllerUidLabel] = job.Metadata.Uid!,
            [WellKnown.LegacyJobNameLabel] = job.Metadata.Name!,
        };
        var owner = new OwnerReference
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Name = job.Metadata.Name!,
            Uid = job.Metadata.Uid!,
            Controller = true,
            BlockOwnerDeletion = true,
        };
        return new Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = (template.Metadata ?? new ObjectMeta()) with
            {
                Name = null,
                GenerateName = job.Metadata.Name + "-",
                Namespace = job.Metadata.Namespace,
                Labels = labels,
                OwnerReferences = [owner],
                Finalizers = [JobStatusCalculator.TrackingFinalizer],
            },
            Spec = template.Spec,
        };
    }

    private static bool SameStatus(JobStatus? a, JobStatus b) =>
        a is not null
        && a.Active == b.Active && a.Ready == b.Ready && a.Succeeded == b.Succeeded && a.Failed == b.Failed
        && a.Terminating == b.Terminating && a.StartTime == b.StartTime && a.CompletionTime == b.CompletionTime
        && (a.Conditions?.Count ?? 0) == (b.Conditions?.Count ?? 0);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted finished job {Key} after its TTL")]
    private static partial void LogExpired(ILogger logger, string key);
}
