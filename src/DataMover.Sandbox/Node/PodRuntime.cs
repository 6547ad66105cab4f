using DataMover.Kube.Models;

namespace DataMover.Sandbox.Node;

/// <summary>Everything the kubelet tracks for a pod it runs. Guarded by its own lock: process exits arrive on other threads.</summary>
internal sealed class PodRuntime
{
    public PodRuntime(Pod pod, string dir)
    {
        Uid = pod.Metadata.Uid!;
        Key = pod.Key();
        Dir = dir;
        StartTime = DateTimeOffset.UtcNow;
        InitContainers = (pod.Spec?.InitContainers ?? []).Select(c => new ContainerRuntimeState(c, true)).ToList();
        Containers = (pod.Spec?.Containers ?? []).Select(c => new ContainerRuntimeState(c, false)).ToList();
    }

    public object Sync { get; } = new();

    public string Uid { get; }

    public string Key { get; }

    public string Dir { get; }

    public DateTimeOffset StartTime { get; }

    public List<ContainerRuntimeState> InitContainers { get; }

    public List<ContainerRuntimeState> Containers { get; }

    public IEnumerable<ContainerRuntimeState> All => InitContainers.Concat(Containers);

    /// <summary>Volumes are set up (the PodReadyToStartContainers condition).</summary>
    public bool SandboxReady { get; set; }

    public string? VolumeWarning { get; set; }

    /// <summary>
    /// Whether a new or changed Secret, ConfigMap, claim or volume can let this pod go on: its volumes are not set
    /// up yet, or a container waits for the configuration its environment names.
    /// </summary>
    public bool WaitsForConfig => !SandboxReady || All.Any(c => c.Waiting.Reason == "CreateContainerConfigError");

    public Dictionary<string, string> VolumePaths { get; } = new(StringComparer.Ordinal);

    public Task? Termination { get; set; }

    public bool Killed { get; set; }

    public string? LastWrittenStatus { get; set; }

    public ContainerRuntimeState? Find(string name) => All.FirstOrDefault(c => c.Name == name);
}
