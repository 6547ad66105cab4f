using DataMover.Kube.Models;

namespace DataMover.Operator.Api;

/// <summary>
/// spec.moverPod: how the mover's pod is placed and whom it runs as (docs/operator.md, "Mover pod settings"). The
/// same shape is the operator's defaults file (--mover-pod-defaults); each field set here wins over the default.
/// </summary>
public sealed record MoverPodSettings : KubeModel
{
    /// <summary>The mover container's requests and limits.</summary>
    public ResourceRequirements? Resources { get; init; }
    public IReadOnlyDictionary<string, string>? NodeSelector { get; init; }
    public IReadOnlyList<Toleration>? Tolerations { get; init; }
    public Affinity? Affinity { get; init; }
    public string? PriorityClassName { get; init; }
    public IReadOnlyDictionary<string, string>? PodAnnotations { get; init; }
    /// <summary>Extra pod labels; the operator's own label keys are refused.</summary>
    public IReadOnlyDictionary<string, string>? PodLabels { get; init; }
    public IReadOnlyList<LocalObjectReference>? ImagePullSecrets { get; init; }
    /// <summary>
    /// A ServiceAccount of the user's (workload identity); the operator neither creates it nor mounts its API token.
    /// Unset: the operator's tokenless datamover-mover.
    /// </summary>
    public string? ServiceAccountName { get; init; }
    public MoverPodSecurityContext? SecurityContext { get; init; }
}
