using DataMover.Kube.Models;

namespace DataMover.Sandbox.Node;

/// <summary>
/// Derives a pod's status from the kubelet's runtime state, following the kubelet's getPhase and condition
/// generators: Pending until every container has started, Running while any runs or will restart, then
/// Succeeded/Failed; PodReadyToStartContainers, Initialized, ContainersReady, Ready, PodScheduled.
/// </summary>
internal static class PodStatusBuilder
{
    public static string Phase(PodRuntime runtime, string? restartPolicy)
    {
        var policy = restartPolicy ?? "Always";
        foreach (var init in runtime.InitContainers)
        {
            if (init.Terminated is { ExitCode: not 0 } && policy == "Never")
            {
                return "Failed";
            }

            if (init.Terminated is not { ExitCode: 0 })
            {
                return "Pending";
            }
        }

        var waiting = 0;
        var running = 0;
        var succeeded = 0;
        var failed = 0;
        foreach (var c in runtime.Containers)
        {
            if (c.IsRunning)
            {
                running++;
            }
            else if (c.Terminated is { } t)
            {
                if (t.ExitCode == 0)
                {
                    succeeded++;
                }
                else
                {
                    failed++;
                }
            }
            else if (c.RestartCount > 0)
            {
                running++;
            }
            else
            {
                waiting++;
            }
        }

        if (waiting > 0)
        {
            return "Pending";
        }

        if (running > 0)
        {
            return "Running";
        }

        if (runtime.Killed)
        {
            return failed > 0 ? "Failed" : "Succeeded";
        }

        return policy switch
        {
            "Always" => "Running",
            "OnFailure" when failed > 0 => "Running",
            _ => failed > 0 ? "Failed" : "Succeeded",
        };
    }

    public static PodStatus Build(Pod pod, PodRuntime runtime, DateTimeOffset now)
    {
        var phase = Phase(runtime, pod.Spec?.RestartPolicy);
        var old = pod.Status?.Conditions ?? [];
        var terminal = phase is "Succeeded" or "Failed";
        var initPending = runtime.InitContainers.Where(c => c.Terminated is not { ExitCode: 0 }).Select(c => c.Name).ToList();
        var unready = runtime.Containers.Where(c => !c.IsRunning).Select(c => c.Name).ToList();

        var conditions = new List<PodCondition>
        {
            Condition(old, "PodReadyToStartContainers", runtime.SandboxReady && !terminal, null, null, now),
            initPending.Count == 0
                ? Condition(old, "Initialized", true, null, null, now)
                : Condition(old, "Initialized", false, "ContainersNotInitialized", $"containers with incomplete status: [{string.Join(' ', initPending)}]", now),
            ReadyCondition(old, "Ready", terminal, unready, now),
            ReadyCondition(old, "ContainersReady", terminal, unready, now),
            Condition(old, "PodScheduled", true, null, null, now),
        };

        return (pod.Status ?? new PodStatus()) with
        {
            Phase = phase,
            Conditions = conditions,
            HostIp = NodeResources.LoopbackIp,
            PodIp = NodeResources.LoopbackIp,
            StartTime = pod.Status?.StartTime ?? runtime.StartTime,
            InitContainerStatuses = runtime.InitContainers.Count == 0 ? null : runtime.InitContainers.Select(c => c.ToStatus()).ToList(),
            ContainerStatuses = runtime.Containers.Select(c => c.ToStatus()).ToList(),
        };
    }

    private static PodCondition ReadyCondition(IReadOnlyList<PodCondition> old, string type, bool terminal, List<string> unready, DateTimeOffset now) =>
        terminal
            ? Condition(old, type, false, "PodCompleted", null, now)
            : unready.Count == 0
                ? Condition(old, type, true, null, null, now)
                : Condition(old, type, false, "ContainersNotReady", $"containers with unready status: [{string.Join(' ', unready)}]", now);

    private static PodCondition Condition(IReadOnlyList<PodCondition> old, string type, bool status, string? reason, string? message, DateTimeOffset now)
    {
        var s = status ? "True" : "False";
        var previous = old.FirstOrDefault(c => c.Type == type);
        return new PodCondition
        {
            Type = type,
            Status = s,
            Reason = reason,
            Message = message,
            LastProbeTime = null,
            LastTransitionTime = previous?.Status == s ? previous.LastTransitionTime ?? now : now,
        };
    }
}
