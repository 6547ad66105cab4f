using System.Text.Json.Serialization;

namespace DataMover.Kube.Models;

/// <summary>core/v1 Pod.</summary>
public sealed record Pod : KubeObject
{
    public PodSpec? Spec { get; init; }
    public PodStatus? Status { get; init; }
}

/// <summary>core/v1 PodTemplateSpec.</summary>
public sealed record PodTemplateSpec : KubeModel
{
    public ObjectMeta? Metadata { get; init; }
    public PodSpec? Spec { get; init; }
}

/// <summary>core/v1 PodSpec.</summary>
public sealed record PodSpec : KubeModel
{
    public IReadOnlyList<Container> Containers { get; init; } = [];
    public IReadOnlyList<Container>? InitContainers { get; init; }
    public IReadOnlyList<Volume>? Volumes { get; init; }
    public string? RestartPolicy { get; init; }
    public string? NodeName { get; init; }
    public string? ServiceAccountName { get; init; }
    public bool? AutomountServiceAccountToken { get; init; }
    public PodSecurityContext? SecurityContext { get; init; }
    public long? TerminationGracePeriodSeconds { get; init; }
    public long? ActiveDeadlineSeconds { get; init; }
    public IReadOnlyDictionary<string, string>? NodeSelector { get; init; }
    public IReadOnlyList<Toleration>? Tolerations { get; init; }
    public Affinity? Affinity { get; init; }
    public IReadOnlyList<LocalObjectReference>? ImagePullSecrets { get; init; }
    public string? PriorityClassName { get; init; }
    public string? SchedulerName { get; init; }
    public bool? EnableServiceLinks { get; init; }
}

/// <summary>core/v1 Container.</summary>
public sealed record Container : KubeModel
{
    public string Name { get; init; } = "";
    public string? Image { get; init; }
    public string? ImagePullPolicy { get; init; }
    public IReadOnlyList<string>? Command { get; init; }
    public IReadOnlyList<string>? Args { get; init; }
    public string? WorkingDir { get; init; }
    public IReadOnlyList<EnvVar>? Env { get; init; }
    public IReadOnlyList<EnvFromSource>? EnvFrom { get; init; }
    public IReadOnlyList<VolumeMount>? VolumeMounts { get; init; }
    public ResourceRequirements? Resources { get; init; }
    public SecurityContext? SecurityContext { get; init; }
    public string? TerminationMessagePath { get; init; }
    public string? TerminationMessagePolicy { get; init; }
}

/// <summary>core/v1 EnvVar.</summary>
public sealed record EnvVar : KubeModel
{
    public string Name { get; init; } = "";
    public string? Value { get; init; }
    public EnvVarSource? ValueFrom { get; init; }
}

/// <summary>core/v1 EnvVarSource.</summary>
public sealed record EnvVarSource : KubeModel
{
    public KeySelector? SecretKeyRef { get; init; }
    public KeySelector? ConfigMapKeyRef { get; init; }
    public ObjectFieldSelector? FieldRef { get; init; }
    public ResourceFieldSelector? ResourceFieldRef { get; init; }
}

/// <summary>core/v1 SecretKeySelector / ConfigMapKeySelector.</summary>
public sealed record KeySelector : KubeModel
{
    public string Name { get; init; } = "";
    public string Key { get; init; } = "";
    public bool? Optional { get; init; }
}

/// <summary>core/v1 ObjectFieldSelector.</summary>
public sealed record ObjectFieldSelector : KubeModel
{
    public string? ApiVersion { get; init; }
    public string FieldPath { get; init; } = "";
}

/// <summary>core/v1 ResourceFieldSelector.</summary>
public sealed record ResourceFieldSelector : KubeModel
{
    public string? ContainerName { get; init; }
    public string Resource { get; init; } = "";
    public string? Divisor { get; init; }
}

/// <summary>core/v1 EnvFromSource.</summary>
public sealed record EnvFromSource : KubeModel
{
    public string? Prefix { get; init; }
    public LocalObjectReference? SecretRef { get; init; }
    public LocalObjectReference? ConfigMapRef { get; init; }
}

/// <summary>A reference by name, optionally optional (SecretEnvSource, ConfigMapEnvSource, LocalObjectReference).</summary>
public sealed record LocalObjectReference : KubeModel
{
    public string? Name { get; init; }
    public bool? Optional { get; init; }
}

/// <summary>core/v1 VolumeMount.</summary>
public sealed record VolumeMount : KubeModel
{
    public string Name { get; init; } = "";
    public string MountPath { get; init; } = "";
    public bool? ReadOnly { get; init; }
    public string? SubPath { get; init; }
}

/// <summary>core/v1 Volume (the sources DataMover and the sandbox use).</summary>
public sealed record Volume : KubeModel
{
    public string Name { get; init; } = "";
    public PersistentVolumeClaimVolumeSource? PersistentVolumeClaim { get; init; }
    public EmptyDirVolumeSource? EmptyDir { get; init; }
    public SecretVolumeSource? Secret { get; init; }
    public ConfigMapVolumeSource? ConfigMap { get; init; }
    public HostPathVolumeSource? HostPath { get; init; }
}

/// <summary>core/v1 PersistentVolumeClaimVolumeSource.</summary>
public sealed record PersistentVolumeClaimVolumeSource : KubeModel
{
    public string ClaimName { get; init; } = "";
    public bool? ReadOnly { get; init; }
}

/// <summary>core/v1 EmptyDirVolumeSource.</summary>
public sealed record EmptyDirVolumeSource : KubeModel
{
    public string? Medium { get; init; }
    public string? SizeLimit { get; init; }
}

/// <summary>core/v1 SecretVolumeSource.</summary>
public sealed record SecretVolumeSource : KubeModel
{
    public string? SecretName { get; init; }
    public bool? Optional { get; init; }
}

/// <summary>core/v1 ConfigMapVolumeSource.</summary>
public sealed record ConfigMapVolumeSource : KubeModel
{
    public string? Name { get; init; }
    public bool? Optional { get; init; }
}

/// <summary>core/v1 PodSecurityContext.</summary>
public sealed record PodSecurityContext : KubeModel
{
    public bool? RunAsNonRoot { get; init; }
    public long? RunAsUser { get; init; }
    public long? RunAsGroup { get; init; }
    public long? FsGroup { get; init; }
    public IReadOnlyList<long>? SupplementalGroups { get; init; }
    /// <summary>OnRootMismatch or Always (the default).</summary>
    public string? FsGroupChangePolicy { get; init; }
    public SeccompProfile? SeccompProfile { get; init; }
}

/// <summary>core/v1 SecurityContext.</summary>
public sealed record SecurityContext : KubeModel
{
    public bool? RunAsNonRoot { get; init; }
    public long? RunAsUser { get; init; }
    public long? RunAsGroup { get; init; }
    public bool? ReadOnlyRootFilesystem { get; init; }
    public bool? AllowPrivilegeEscalation { get; init; }
    public bool? Privileged { get; init; }
    public Capabilities? Capabilities { get; init; }
    public SeccompProfile? SeccompProfile { get; init; }
}

/// <summary>core/v1 Capabilities.</summary>
public sealed record Capabilities : KubeModel
{
    public IReadOnlyList<string>? Add { get; init; }
    public IReadOnlyList<string>? Drop { get; init; }
}

/// <summary>core/v1 SeccompProfile.</summary>
public sealed record SeccompProfile : KubeModel
{
    public string Type { get; init; } = "";
    public string? LocalhostProfile { get; init; }
}

/// <summary>core/v1 PodStatus.</summary>
public sealed record PodStatus : KubeModel
{
    public string? Phase { get; init; }
    public string? Reason { get; init; }
    public string? Message { get; init; }
    [JsonPropertyName("hostIP")]
    public string? HostIp { get; init; }
    [JsonPropertyName("podIP")]
    public string? PodIp { get; init; }
    public DateTimeOffset? StartTime { get; init; }
    public IReadOnlyList<PodCondition>? Conditions { get; init; }
    public IReadOnlyList<ContainerStatus>? ContainerStatuses { get; init; }
    public IReadOnlyList<ContainerStatus>? InitContainerStatuses { get; init; }
}

/// <summary>core/v1 PodCondition.</summary>
public sealed record PodCondition : KubeModel
{
    public string Type { get; init; } = "";
    public string Status { get; init; } = "";
    public string? Reason { get; init; }
    public string? Message { get; init; }
    public DateTimeOffset? LastProbeTime { get; init; }
    public DateTimeOffset? LastTransitionTime { get; init; }
}

/// <summary>core/v1 ContainerStatus.</summary>
public sealed record ContainerStatus : KubeModel
{
    public string Name { get; init; } = "";
    public bool Ready { get; init; }
    public int RestartCount { get; init; }
    public string? Image { get; init; }
    [JsonPropertyName("imageID")]
    public string? ImageId { get; init; }
    [JsonPropertyName("containerID")]
    public string? ContainerId { get; init; }
    public bool? Started { get; init; }
    public ContainerState? State { get; init; }
    public ContainerState? LastState { get; init; }
}

/// <summary>core/v1 ContainerState: exactly one member is set.</summary>
public sealed record ContainerState : KubeModel
{
    public ContainerStateWaiting? Waiting { get; init; }
    public ContainerStateRunning? Running { get; init; }
    public ContainerStateTerminated? Terminated { get; init; }
}

/// <summary>core/v1 ContainerStateWaiting.</summary>
public sealed record ContainerStateWaiting : KubeModel
{
    public string? Reason { get; init; }
    public string? Message { get; init; }
}

/// <summary>core/v1 ContainerStateRunning.</summary>
public sealed record ContainerStateRunning : KubeModel
{
    public DateTimeOffset? StartedAt { get; init; }
}

/// <summary>core/v1 ContainerStateTerminated.</summary>
public sealed record ContainerStateTerminated : KubeModel
{
    public int ExitCode { get; init; }
    public int? Signal { get; init; }
    public string? Reason { get; init; }
    public string? Message { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    [JsonPropertyName("containerID")]
    public string? ContainerId { get; init; }
}
