namespace DataMover.Kube.Models;

/// <summary>
/// core/v1 Affinity, carried opaquely: its node, pod and anti-affinity trees live in <see cref="KubeModel.Extra"/>
/// and round-trip unchanged, as nothing in this client reads them.
/// </summary>
public sealed record Affinity : KubeModel;
