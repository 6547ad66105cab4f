using DataMover.Kube.Models;

namespace DataMover.Sandbox.ControlPlane;

/// <summary>
/// The job controller's matchPodFailurePolicy (pkg/controller/job/pod_failure_policy.go, v1.32): the first rule whose
/// onExitCodes or onPodConditions matches a failed pod decides. Exit code 0 never matches, containers not terminated
/// are skipped, app containers are checked before init containers.
/// </summary>
internal static class PodFailurePolicyMatcher
{
    public const string FailJob = "FailJob";
    public const string Ignore = "Ignore";
    public const string Count = "Count";
    public const string FailIndex = "FailIndex";

    /// <summary>The matching rule's action (null when none matched) and, for FailJob, the job's failure message.</summary>
    public static (string? Action, string? FailJobMessage) Match(PodFailurePolicy? policy, Pod pod)
    {
        var rules = policy?.Rules ?? [];
        for (var index = 0; index < rules.Count; index++)
        {
            var rule = rules[index];
            if (rule.OnExitCodes is { } onExitCodes)
            {
                if (MatchingContainer(pod.Status, onExitCodes) is { } container)
                {
                    var code = container.State!.Terminated!.ExitCode;
                    return (rule.Action, rule.Action == FailJob
                        ? $"Container {container.Name} for pod {pod.Metadata.Namespace}/{pod.Metadata.Name} failed with exit code {code} matching {rule.Action} rule at index {index}"
                        : null);
                }
            }
            else if (rule.OnPodConditions is { } patterns
                && pod.Status?.Conditions?.FirstOrDefault(c => patterns.Any(p => p.Type == c.Type && p.Status == c.Status)) is { } condition)
            {
                return (rule.Action, rule.Action == FailJob
                    ? $"Pod {pod.Metadata.Namespace}/{pod.Metadata.Name} has condition {condition.Type} matching {rule.Action} rule at index {index}"
                    : null);
            }
        }

        return (null, null);
    }

    /// <summary>getFailJobMessage: the first failed pod matching a FailJob rule decides the message.</summary>
    public static string? FailJobMessage(Job job, IEnumerable<Pod> pods) =>
        job.Spec?.PodFailurePolicy is { } policy
            ? pods.Where(p => p.Status?.Phase == "Failed").Select(p => Match(policy, p).FailJobMessage).FirstOrDefault(m => m is not null)
            : null;

    private static ContainerStatus? MatchingContainer(PodStatus? status, PodFailurePolicyOnExitCodesRequirement requirement) =>
        Matching(status?.ContainerStatuses, requirement) ?? Matching(status?.InitContainerStatuses, requirement);

    private static ContainerStatus? Matching(IReadOnlyList<ContainerStatus>? statuses, PodFailurePolicyOnExitCodesRequirement requirement) =>
        statuses?.FirstOrDefault(s =>
            s.State?.Terminated is { ExitCode: not 0 } terminated
            && (requirement.ContainerName is null || requirement.ContainerName == s.Name)
            && requirement.Values.Contains(terminated.ExitCode) == (requirement.Operator == "In"));
}
