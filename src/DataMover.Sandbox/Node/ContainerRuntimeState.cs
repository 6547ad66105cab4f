using DataMover.Kube.Models;

namespace DataMover.Sandbox.Node;

/// <summary>The kubelet's view of one container of one pod across restarts.</summary>
internal sealed class ContainerRuntimeState
{
    public ContainerRuntimeState(Container spec, bool isInit)
    {
        Spec = spec;
        IsInit = isInit;
    }

    public Container Spec { get; }

    public bool IsInit { get; }

    public string Name => Spec.Name;

    public ContainerStateWaiting Waiting { get; set; } = new() { Reason = "ContainerCreating" };

    public DateTimeOffset? RunningSince { get; set; }

    public ContainerStateTerminated? Terminated { get; set; }

    public ContainerStateTerminated? LastTerminated { get; set; }

    public int RestartCount { get; set; }

    public string? ContainerId { get; set; }

    public string? ImageId { get; set; }

    public ContainerProcess? Process { get; set; }

    /// <summary>Not before this time may the container (re)start: image pull or crash loop back-off.</summary>
    public DateTimeOffset NotBefore { get; set; }

    public int PullFailures { get; set; }

    public string? LastWarning { get; set; }

    public bool PulledReported { get; set; }

    public bool IsRunning => RunningSince is not null && Terminated is null;

    public bool HasStarted => RunningSince is not null || Terminated is not null;

    public string LogPath(string podDir, int? restart = null) =>
        Path.Combine(podDir, "containers", Name, $"{restart ?? RestartCount}.log");

    public ContainerStatus ToStatus() => new()
    {
        Name = Name,
        Image = Spec.Image,
        ImageId = ImageId ?? "",
        ContainerId = ContainerId,
        RestartCount = RestartCount,
        Ready = IsRunning && !IsInit,
        Started = IsRunning,
        State = Terminated is { } t
            ? new ContainerState { Terminated = t }
            : RunningSince is { } since
                ? new ContainerState { Running = new ContainerStateRunning { StartedAt = since } }
                : new ContainerState { Waiting = Waiting },
        LastState = LastTerminated is { } last ? new ContainerState { Terminated = last } : new ContainerState(),
    };
}
