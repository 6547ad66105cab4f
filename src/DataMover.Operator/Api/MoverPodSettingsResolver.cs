using DataMover.Kube.Models;

namespace DataMover.Operator.Api;

/// <summary>
/// An object's spec.moverPod over the operator's defaults: field by field the object wins; maps (nodeSelector,
/// podLabels, podAnnotations, resource requests and limits) merge key by key with the object winning; lists
/// (tolerations, imagePullSecrets, supplementalGroups) and affinity are replaced whole, as a partial list would
/// mean something neither side wrote.
/// </summary>
internal static class MoverPodSettingsResolver
{
    public static MoverPodSettings Resolve(MoverPodSettings? defaults, MoverPodSettings? own)
    {
        if (defaults is null || own is null)
        {
            return own ?? defaults ?? new MoverPodSettings();
        }

        return new MoverPodSettings
        {
            Resources = Merge(defaults.Resources, own.Resources),
            NodeSelector = Merge(defaults.NodeSelector, own.NodeSelector),
            Tolerations = own.Tolerations ?? defaults.Tolerations,
            Affinity = own.Affinity ?? defaults.Affinity,
            PriorityClassName = own.PriorityClassName ?? defaults.PriorityClassName,
            PodAnnotations = Merge(defaults.PodAnnotations, own.PodAnnotations),
            PodLabels = Merge(defaults.PodLabels, own.PodLabels),
            ImagePullSecrets = own.ImagePullSecrets ?? defaults.ImagePullSecrets,
            ServiceAccountName = own.ServiceAccountName ?? defaults.ServiceAccountName,
            SecurityContext = Merge(defaults.SecurityContext, own.SecurityContext),
        };
    }

    private static ResourceRequirements? Merge(ResourceRequirements? defaults, ResourceRequirements? own) =>
        defaults is null || own is null
            ? own ?? defaults
            : new ResourceRequirements { Requests = Merge(defaults.Requests, own.Requests), Limits = Merge(defaults.Limits, own.Limits) };

    private static MoverPodSecurityContext? Merge(MoverPodSecurityContext? defaults, MoverPodSecurityContext? own) =>
        defaults is null || own is null
            ? own ?? defaults
            : new MoverPodSecurityContext
            {
                RunAsUser = own.RunAsUser ?? defaults.RunAsUser,
                RunAsGroup = own.RunAsGroup ?? defaults.RunAsGroup,
                FsGroup = own.FsGroup ?? defaults.FsGroup,
                SupplementalGroups = own.SupplementalGroups ?? defaults.SupplementalGroups,
                FsGroupChangePolicy = own.FsGroupChangePolicy ?? defaults.FsGroupChangePolicy,
            };

    private static IReadOnlyDictionary<string, string>? Merge(IReadOnlyDictionary<string, string>? defaults, IReadOnlyDictionary<string, string>? own)
    {
        if (defaults is null || own is null)
        {
            return own ?? defaults;
        }

        var merged = new Dictionary<string, string>(defaults, StringComparer.Ordinal);
        foreach (var (key, value) in own)
        {
            merged[key] = value;
        }

        return merged;
    }
}
