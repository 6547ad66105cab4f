using System.Text.RegularExpressions;
using DataMover.Kube.Models;

namespace DataMover.Operator.Controllers;

/// <summary>Reads what the mover's pods say: why one cannot start, and the mover's own termination message (quoted safely).</summary>
internal static partial class PodDiagnostics
{
    /// <summary>Waiting reasons that will not resolve without a user's action (a missing Secret, a bad image).</summary>
    private static readonly HashSet<string> BlockingReasons = new(StringComparer.Ordinal)
    {
        "CreateContainerConfigError", "CreateContainerError", "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull",
    };

    /// <summary>The reason and message of a pod that cannot start its container, or null.</summary>
    public static (string Reason, string Message)? Blocked(Pod pod)
    {
        foreach (var cs in pod.Status?.ContainerStatuses ?? [])
        {
            if (cs.State?.Waiting is { Reason: { } reason } waiting && BlockingReasons.Contains(reason))
            {
                return (reason, waiting.Message ?? reason);
            }
        }

        return null;
    }

    /// <summary>
    /// The job controller's latest FailedCreate on a Job that has no pod: the API server refused the pod (a missing
    /// ServiceAccount or PriorityClass), which the controller retries but only a user can fix. Null when there is none.
    /// </summary>
    public static Event? FailedCreate(Job job, OperatorCaches caches) => caches.LatestWarning(job, "FailedCreate");

    /// <summary>The scheduler's reason a pod is not placed yet (PodScheduled=False), or null.</summary>
    public static string? Unschedulable(Pod pod) =>
        pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled" && c.Status == "False") is { } c
            ? $"{c.Reason ?? "Unschedulable"}: {c.Message}"
            : null;

    /// <summary>The termination message of the newest pod whose mover container ended (with a failure when <paramref name="failed"/>).</summary>
    public static string? TerminationMessage(IEnumerable<Pod> pods, bool failed)
    {
        foreach (var pod in pods.OrderByDescending(p => p.Metadata.CreationTimestamp ?? DateTimeOffset.MinValue))
        {
            foreach (var cs in pod.Status?.ContainerStatuses ?? [])
            {
                var terminated = cs.State?.Terminated ?? cs.LastState?.Terminated;
                if (terminated is null || (failed && terminated.ExitCode == 0) || (!failed && terminated.ExitCode != 0))
                {
                    continue;
                }

                var message = terminated.Message?.Trim();
                if (!string.IsNullOrEmpty(message))
                {
                    return message;
                }

                if (failed)
                {
                    return $"mover exited with code {terminated.ExitCode}{(terminated.Reason is { } r ? $" ({r})" : "")}";
                }
            }
        }

        return null;
    }

    /// <summary>Longest quote of a mover's message in status, events and logs.</summary>
    public const int MaxQuote = 300;

    /// <summary>
    /// The mover's text made fit for status, events and logs, which people read who may not read Secrets: one line,
    /// at most <see cref="MaxQuote"/> characters, and any "NAME=value" / "NAME: value" whose name looks like a
    /// credential redacted (a mover's message should never carry one; this is the second line of defence).
    /// </summary>
    public static string Quote(string text)
    {
        var line = Whitespace().Replace(text.Trim(), " ");
        line = Credential().Replace(line, m => m.Groups["name"].Value + m.Groups["quote"].Value + m.Groups["sep"].Value + "<redacted>");
        return line.Length <= MaxQuote ? line : line[..MaxQuote] + "…";
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"(?<name>[A-Za-z0-9_.-]*(?:SECRET|PASSWORD|PASS|TOKEN|KEY|CREDENTIAL)[A-Za-z0-9_.-]*)(?<quote>""?)(?<sep>\s*[=:]\s*)(?<value>""[^""]*""|'[^']*'|[^\s,;&]+)", RegexOptions.IgnoreCase)]
    private static partial Regex Credential();
}
