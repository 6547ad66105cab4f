using DataMover.Kube.Models;

namespace DataMover.Sandbox.ControlPlane;

/// <summary>
/// The decision part of kube-controller-manager's job controller (v1.32, NonIndexed, restartPolicy Never/OnFailure):
/// counts pods, applies podFailurePolicy, backoffLimit and activeDeadlineSeconds (in the controller's order), and
/// follows the 1.31+ two-step finish
/// (FailureTarget/SuccessCriteriaMet first, Failed/Complete once no pod is left running or terminating).
/// Pure, so it can be tested without a server.
/// </summary>
internal static class JobStatusCalculator
{
    public const string BackoffLimitMessage = "Job has reached the specified backoff limit";
    public const string DeadlineMessage = "Job was active longer than specified deadline";
    public const string PodFailurePolicyReason = "PodFailurePolicy";
    public const string CompletionsMessage = "Reached expected number of succeeded pods";

    public static bool IsFinished(Job job) =>
        job.Status?.Conditions?.Any(c => c.Type is "Complete" or "Failed" && c.Status == "True") == true;

    public static DateTimeOffset? FinishedAt(Job job) =>
        job.Status?.Conditions?.FirstOrDefault(c => c.Type is "Complete" or "Failed" && c.Status == "True")?.LastTransitionTime
        ?? job.Status?.CompletionTime;

    public const string TrackingFinalizer = "batch.kubernetes.io/job-tracking";

    /// <summary>
    /// Finished pods not yet in the counters: those still carrying the tracking finalizer and not counted before.
    /// As in the real controller, a pod is counted once, then its finalizer goes and it may disappear without
    /// the counters ever going down.
    /// </summary>
    public static IEnumerable<Pod> Uncounted(IEnumerable<Pod> pods, IReadOnlySet<string> counted) =>
        pods.Where(p => WellKnown.IsTerminal(p) && p.Metadata.Finalizers?.Contains(TrackingFinalizer) == true && !counted.Contains(p.Metadata.Uid ?? ""));

    public static JobPlan Compute(Job job, IReadOnlyList<Pod> pods, int inFlightCreates, DateTimeOffset now, TimeSpan backoffBase, TimeSpan backoffMax) =>
        Compute(job, pods, inFlightCreates, now, backoffBase, backoffMax, new HashSet<string>());

    public static JobPlan Compute(Job job, IReadOnlyList<Pod> pods, int inFlightCreates, DateTimeOffset now, TimeSpan backoffBase, TimeSpan backoffMax, IReadOnlySet<string> counted)
    {
        var spec = job.Spec!;
        var status = job.Status ?? new JobStatus();
        var conditions = (status.Conditions ?? []).ToList();
        var events = new List<(string, string, string)>();

        var running = pods.Where(p => !WellKnown.IsTerminal(p)).ToList();
        var active = running.Where(p => p.Metadata.DeletionTimestamp is null).ToList();
        var terminating = running.Count - active.Count;
        var fresh = Uncounted(pods, counted).ToList();
        var succeeded = (status.Succeeded ?? 0) + fresh.Count(p => p.Status?.Phase == "Succeeded");
        // A failed pod matching an Ignore rule does not count toward the backoff limit.
        var failed = (status.Failed ?? 0) + fresh.Count(p => p.Status?.Phase == "Failed"
            && PodFailurePolicyMatcher.Match(spec.PodFailurePolicy, p).Action != PodFailurePolicyMatcher.Ignore);
        var ready = active.Count(p => p.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true);
        var startTime = status.StartTime ?? now;
        var activeCount = active.Count + inFlightCreates;

        var parallelism = spec.Parallelism ?? 1;
        var completions = spec.Completions ?? (spec.Parallelism is null ? 1 : (int?)null);
        var backoffLimit = spec.BackoffLimit ?? 6;

        var toDelete = new List<Pod>();
        var toCreate = 0;
        TimeSpan? requeue = null;

        var interim = conditions.FirstOrDefault(c => c.Type is "FailureTarget" or "SuccessCriteriaMet" && c.Status == "True");
        if (interim is null)
        {
            // syncJob's order: a FailJob rule first, then the backoff limit, then the deadline.
            if (PodFailurePolicyMatcher.FailJobMessage(job, pods) is { } failJob)
            {
                interim = Condition("FailureTarget", PodFailurePolicyReason, failJob, now);
                events.Add(("Warning", PodFailurePolicyReason, failJob));
            }
            else if (failed > backoffLimit)
            {
                interim = Condition("FailureTarget", "BackoffLimitExceeded", BackoffLimitMessage, now);
                events.Add(("Warning", "BackoffLimitExceeded", BackoffLimitMessage));
            }
            else if (spec.ActiveDeadlineSeconds is { } deadline && now - startTime >= TimeSpan.FromSeconds(deadline))
            {
                interim = Condition("FailureTarget", "DeadlineExceeded", DeadlineMessage, now);
                events.Add(("Warning", "DeadlineExceeded", DeadlineMessage));
            }
            else if (completions is { } c ? succeeded >= c : succeeded > 0 && activeCount == 0)
            {
                interim = Condition("SuccessCriteriaMet", "CompletionsReached", CompletionsMessage, now);
            }

            if (interim is not null)
            {
                conditions.Add(interim);
            }
        }

        DateTimeOffset? completionTime = status.CompletionTime;
        if (interim is not null)
        {
            // Finishing: remaining pods are deleted; the terminal condition waits until none is left running.
            toDelete.AddRange(active);
            if (running.Count == 0 && inFlightCreates == 0)
            {
                var final = interim.Type == "FailureTarget" ? "Failed" : "Complete";
                conditions.Add(Condition(final, interim.Reason!, interim.Message!, now));
                if (final == "Complete")
                {
                    completionTime = now;
                    events.Add(("Normal", "Completed", "Job completed"));
                }
            }

            activeCount = 0;
            ready = 0;
            terminating = running.Count;
        }
        else
        {
            var want = completions is { } c ? Math.Min(parallelism, c - succeeded) : (succeeded > 0 ? 0 : parallelism);
            var missing = want - activeCount;
            if (missing > 0)
            {
                var delay = FailureBackoff(pods, now, backoffBase, backoffMax);
                if (delay > TimeSpan.Zero)
                {
                    requeue = delay;
                }
                else
                {
                    toCreate = missing;
                }
            }

            if (spec.ActiveDeadlineSeconds is { } deadline)
            {
                var left = startTime + TimeSpan.FromSeconds(deadline) - now;
                requeue = requeue is { } r && r < left ? r : left;
            }
        }

        var newStatus = status with
        {
            StartTime = startTime,
            Active = activeCount + toCreate,
            Ready = ready,
            Succeeded = succeeded,
            Failed = failed,
            Terminating = terminating,
            CompletionTime = completionTime,
            Conditions = conditions,
        };
        return new JobPlan { Status = newStatus, PodsToCreate = toCreate, PodsToDelete = toDelete, Events = events, RequeueAfter = requeue };
    }

    /// <summary>
    /// Time still to wait before replacing failed pods: base * 2^(consecutive failures - 1), capped, measured from the
    /// last failure, like the controller's per-job pod failure backoff.
    /// </summary>
    internal static TimeSpan FailureBackoff(IReadOnlyList<Pod> pods, DateTimeOffset now, TimeSpan backoffBase, TimeSpan backoffMax)
    {
        var lastSuccess = pods.Where(p => p.Status?.Phase == "Succeeded").Select(FinishTime).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
        var failures = pods.Where(p => p.Status?.Phase == "Failed").Select(FinishTime).Where(t => t > lastSuccess).ToList();
        if (failures.Count == 0 || backoffBase <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        var exponent = Math.Min(failures.Count - 1, 30);
        var delay = TimeSpan.FromTicks(Math.Min(backoffBase.Ticks * (1L << Math.Min(exponent, 20)), backoffMax.Ticks));
        var wait = failures.Max() + delay - now;
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }

    private static DateTimeOffset FinishTime(Pod pod) =>
        pod.Status?.ContainerStatuses?.Select(c => c.State?.Terminated?.FinishedAt).Where(t => t is not null).Max()
        ?? pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.LastTransitionTime
        ?? pod.Metadata.CreationTimestamp
        ?? DateTimeOffset.MinValue;

    private static JobCondition Condition(string type, string reason, string message, DateTimeOffset now) => new()
    {
        Type = type,
        Status = "True",
        Reason = reason,
        Message = message,
        LastProbeTime = now,
        LastTransitionTime = now,
    };
}
