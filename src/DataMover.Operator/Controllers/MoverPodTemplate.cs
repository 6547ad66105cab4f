using DataMover.Kube.Models;
using DataMover.Operator.Api;

namespace DataMover.Operator.Controllers;

/// <summary>
/// The hardened mover pod shared by backups and restores (docs/mover-protocol.md, docs/security.md). Its environment
/// is the operator's variables, the allowed spec.additionalEnv entries (refused objects never get here; any other
/// entry is dropped and reported, as a second line of defence) and the storage Secret under the prefix
/// DATAMOVER_SECRET_, so no Secret key can name a variable the shell, the loader or the mover reads. It runs under a
/// ServiceAccount without token or bindings. spec.moverPod (admitted by MoverPodSettingsPolicy) places the pod and
/// chooses its identity here and only here; the hardening fields are written after it and cannot be overridden.
/// </summary>
internal static class MoverPodTemplate
{
    public const string ContainerName = "mover";
    public const string DataMountPath = "/data";
    public const string ConfigMountPath = "/config";
    public const string TerminationMessagePath = "/dev/termination-log";
    public const long NobodyId = 65534;
    public const string HomeVar = "HOME";
    public const string ServiceAccountName = Security.MoverServiceAccounts.Name;

    /// <summary>The pod template, and the additionalEnv names dropped because the policy does not allow them.</summary>
    public static (PodTemplateSpec Template, IReadOnlyList<string> Dropped) Build(MoverPodPlan plan)
    {
        var env = new List<EnvVar>(plan.OperatorEnv) { new() { Name = HomeVar, Value = ConfigMountPath } };
        var reserved = env.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        var dropped = new List<string>();
        foreach (var e in plan.AdditionalEnv ?? [])
        {
            if (reserved.Contains(e.Name) || Security.MoverEnvPolicy.WhyRefused(e.Name) is not null)
            {
                dropped.Add(e.Name);
                continue;
            }

            env.Add(e);
        }

        var readOnly = plan.DataAccess == DataVolumeAccess.ReadOnly;
        var (image, pullPolicy) = MoverImageRef.Resolve(plan.Image, plan.DefaultImage);
        var settings = plan.Settings ?? new MoverPodSettings();
        var identity = settings.SecurityContext ?? new MoverPodSecurityContext();
        var uid = identity.RunAsUser ?? NobodyId;
        var gid = identity.RunAsGroup ?? NobodyId;
        var template = new PodTemplateSpec
        {
            Metadata = new ObjectMeta
            {
                Labels = Overlay(settings.PodLabels, plan.Labels),
                Annotations = settings.PodAnnotations is { Count: > 0 } annotations ? new Dictionary<string, string>(annotations) : null,
            },
            Spec = new PodSpec
            {
                RestartPolicy = "Never",
                ServiceAccountName = string.IsNullOrEmpty(settings.ServiceAccountName) ? ServiceAccountName : settings.ServiceAccountName,
                // Also under a user's ServiceAccount: workload identity webhooks (IRSA, GKE) project their own token.
                AutomountServiceAccountToken = false,
                EnableServiceLinks = false,
                NodeSelector = settings.NodeSelector is { Count: > 0 } selector ? new Dictionary<string, string>(selector) : null,
                Tolerations = settings.Tolerations is { Count: > 0 } tolerations ? tolerations : null,
                Affinity = settings.Affinity,
                PriorityClassName = string.IsNullOrEmpty(settings.PriorityClassName) ? null : settings.PriorityClassName,
                ImagePullSecrets = settings.ImagePullSecrets is { Count: > 0 } pullSecrets ? pullSecrets : null,
                SecurityContext = new PodSecurityContext
                {
                    // Root only gets here when the operator allows it (--allow-mover-root); the kubelet refuses uid 0 under runAsNonRoot.
                    RunAsNonRoot = uid != 0,
                    RunAsUser = uid,
                    RunAsGroup = gid,
                    FsGroup = identity.FsGroup ?? NobodyId,
                    SupplementalGroups = identity.SupplementalGroups is { Count: > 0 } groups ? groups : null,
                    FsGroupChangePolicy = identity.FsGroupChangePolicy,
                    SeccompProfile = new SeccompProfile { Type = "RuntimeDefault" },
                },
                Containers =
                [
                    new Container
                    {
                        Name = ContainerName,
                        Image = image,
                        ImagePullPolicy = pullPolicy,
                        Env = env,
                        EnvFrom = [new EnvFromSource { Prefix = Security.MoverEnvPolicy.SecretPrefix, SecretRef = new LocalObjectReference { Name = plan.SecretName } }],
                        VolumeMounts =
                        [
                            // A backup mounts its clone read-only: the mover must never alter it.
                            new VolumeMount { Name = "data", MountPath = DataMountPath, ReadOnly = readOnly ? true : null },
                            new VolumeMount { Name = "config", MountPath = ConfigMountPath },
                        ],
                        Resources = settings.Resources,
                        SecurityContext = new SecurityContext
                        {
                            RunAsNonRoot = uid != 0,
                            RunAsUser = uid,
                            RunAsGroup = gid,
                            ReadOnlyRootFilesystem = true,
                            AllowPrivilegeEscalation = false,
                            Privileged = false,
                            Capabilities = new Capabilities { Drop = ["ALL"] },
                            SeccompProfile = new SeccompProfile { Type = "RuntimeDefault" },
                        },
                        TerminationMessagePath = TerminationMessagePath,
                        TerminationMessagePolicy = "FallbackToLogsOnError",
                    },
                ],
                Volumes =
                [
                    new Volume { Name = "data", PersistentVolumeClaim = new PersistentVolumeClaimVolumeSource { ClaimName = plan.ClaimName, ReadOnly = readOnly ? true : null } },
                    new Volume { Name = "config", EmptyDir = new EmptyDirVolumeSource() },
                ],
            },
        };
        return (template, dropped);
    }

    /// <summary>The template without the volume mounted at /data and without its mount, for a mover that only reads or writes the bucket (inspect, prune).</summary>
    public static PodTemplateSpec WithoutDataVolume(PodTemplateSpec template)
    {
        var podSpec = template.Spec!;
        var container = podSpec.Containers[0];
        var dataVolumes = (container.VolumeMounts ?? [])
            .Where(m => m.MountPath == DataMountPath)
            .Select(m => m.Name)
            .ToHashSet(StringComparer.Ordinal);
        return template with
        {
            Spec = podSpec with
            {
                Containers = [container with { VolumeMounts = [.. (container.VolumeMounts ?? []).Where(m => !dataVolumes.Contains(m.Name))] }, .. podSpec.Containers.Skip(1)],
                Volumes = [.. (podSpec.Volumes ?? []).Where(v => !dataVolumes.Contains(v.Name))],
            },
        };
    }

    /// <summary>The user's pod labels under the operator's: a key both set keeps the operator's value (the policy refuses such keys first).</summary>
    private static Dictionary<string, string> Overlay(IReadOnlyDictionary<string, string>? user, IReadOnlyDictionary<string, string> own)
    {
        var labels = new Dictionary<string, string>(user ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (key, value) in own)
        {
            labels[key] = value;
        }

        return labels;
    }
}
