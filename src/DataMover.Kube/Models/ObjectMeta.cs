namespace DataMover.Kube.Models;

/// <summary>metav1.ObjectMeta.</summary>
public sealed record ObjectMeta : KubeModel
{
    public string? Name { get; init; }
    public string? GenerateName { get; init; }
    public string? Namespace { get; init; }
    public string? Uid { get; init; }
    public string? ResourceVersion { get; init; }
    public long? Generation { get; init; }
    public DateTimeOffset? CreationTimestamp { get; init; }
    public DateTimeOffset? DeletionTimestamp { get; init; }
    public long? DeletionGracePeriodSeconds { get; init; }
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }
    public IReadOnlyList<OwnerReference>? OwnerReferences { get; init; }
    public IReadOnlyList<string>? Finalizers { get; init; }

    /// <summary>The ownerReference with controller=true, if any.</summary>
    public OwnerReference? ControllerReference() =>
        OwnerReferences?.FirstOrDefault(o => o.Controller == true);

    public string? Label(string key) => Labels is not null && Labels.TryGetValue(key, out var v) ? v : null;

    public string? Annotation(string key) => Annotations is not null && Annotations.TryGetValue(key, out var v) ? v : null;
}
