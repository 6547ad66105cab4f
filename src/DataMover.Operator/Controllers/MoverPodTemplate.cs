using DataMover.Kube.Models;

namespace DataMover.Operator.Controllers;

/// <summary>
/// The hardened mover pod shared by backups and restores (docs/mover-protocol.md, docs/security.md). Its environment
/// is the operator's variables, the allowed spec.additionalEnv entries (refused objects never get here; any other
/// entry is dropped and reported, as a second line of defence) and the storage Secret under the prefix
/// DATAMOVER_SECRET_, so no Secret key can name a variable the shell, the loader or the mover reads. It runs under a
/// ServiceAccount without token or bindings.
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
        var template = new PodTemplateSpec
        {
            Metadata = new ObjectMeta { Labels = new Dictionary<string, string>(plan.Labels) },
            Spec = new PodSpec
            {
                RestartPolicy = "Never",
                ServiceAccountName = ServiceAccountName,
                AutomountServiceAccountToken = false,
                EnableServiceLinks = false,
                SecurityContext = new PodSecurityContext
                {
                    RunAsNonRoot = true,
                    RunAsUser = NobodyId,
                    RunAsGroup = NobodyId,
                    FsGroup = NobodyId,
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
                        SecurityContext = new SecurityContext
                        {
                            RunAsNonRoot = true,
                            RunAsUser = NobodyId,
                            RunAsGroup = NobodyId,
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
}
