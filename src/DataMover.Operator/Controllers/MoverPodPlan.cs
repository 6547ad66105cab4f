using DataMover.Kube.Models;
using DataMover.Operator.Api;

namespace DataMover.Operator.Controllers;

/// <summary>What a mover pod is built from, for a backup or a restore.</summary>
/// <param name="Labels">Labels of the pod (those of its owner and component).</param>
/// <param name="Image">The owner's spec.image, if any.</param>
/// <param name="DefaultImage">The operator's mover image, for what spec.image leaves unset.</param>
/// <param name="OperatorEnv">The variables the operator sets (mode, folders, identity); users cannot override them.</param>
/// <param name="AdditionalEnv">The owner's spec.additionalEnv.</param>
/// <param name="SecretName">The storage Secret.</param>
/// <param name="ClaimName">The PVC mounted at /data.</param>
/// <param name="DataAccess">Read-only for a backup, read-write for a restore.</param>
/// <param name="Settings">The owner's spec.moverPod over the operator's defaults (<see cref="MoverPodSettingsResolver"/>), already admitted.</param>
internal sealed record MoverPodPlan(
    IReadOnlyDictionary<string, string> Labels,
    MoverImage? Image,
    string DefaultImage,
    IReadOnlyList<EnvVar> OperatorEnv,
    IReadOnlyList<EnvVar>? AdditionalEnv,
    string SecretName,
    string ClaimName,
    DataVolumeAccess DataAccess,
    MoverPodSettings? Settings = null);
