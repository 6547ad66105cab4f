namespace DataMover.Kube.Models;

/// <summary>storage.k8s.io/v1 CSIDriver.</summary>
public sealed record CsiDriver : KubeObject
{
    public CsiDriverSpec? Spec { get; init; }
}

/// <summary>storage.k8s.io/v1 CSIDriverSpec.</summary>
public sealed record CsiDriverSpec : KubeModel
{
    public bool? AttachRequired { get; init; }
    public bool? PodInfoOnMount { get; init; }
    public IReadOnlyList<string>? VolumeLifecycleModes { get; init; }
}
