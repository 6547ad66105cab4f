using DataMover.Kube.Models;

namespace DataMover.Operator.Controllers;

/// <summary>
/// The hardened mover pod shared by backups and restores. Environment precedence is operator variables &gt;
/// spec.additionalEnv &gt; the Secret: Kubernetes lets <c>env</c> win over <c>envFrom</c>, and user entries that
/// collide with the operator's own variables are dropped (and reported) so a user cannot redirect the mover.
/// </summary>
internal static class MoverPodTemplate
{
    public const string ContainerName = "mover";
    public const string DataMountPath = "/data";
    public const string ConfigMountPath = "/config";
    public const string TerminationMessagePath = "/dev/termination-log";
    public const long NobodyId = 65534;
    public const string HomeVar = "HOME";

    /// <summary>The pod template, and the additionalEnv names dropped because the operator sets them.</summary>
    public static (PodTemplateSpec Template, IReadOnlyList<string> Dropped) Build(MoverPodPlan plan)
    {
        var env = new List<EnvVar>(plan.OperatorEnv) { new() { Name = HomeVar, Value = ConfigMountPath } };
        var reserved = env.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        var dropped = new List<string>();
        foreach (var e in plan.AdditionalEnv ?? [])
        {
            if (reserved.Contains(e.Name))
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
                        EnvFrom = [new EnvFromSource { SecretRef = new LocalObjectReference { Name = plan.SecretName } }],
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
