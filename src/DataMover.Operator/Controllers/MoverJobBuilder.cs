using DataMover.Kube.Models;
using DataMover.Operator.Api;
using Dm = DataMover.Operator.Api.DataMover;

namespace DataMover.Operator.Controllers;

/// <summary>
/// Builds the mover Job. Environment precedence is operator variables &gt; spec.additionalEnv &gt; the Secret:
/// Kubernetes lets <c>env</c> win over <c>envFrom</c>, and user entries that collide with the operator's own
/// variables are dropped (and reported) so a DataMover cannot redirect its own destination folder.
/// </summary>
internal static class MoverJobBuilder
{
    public const string Component = "mover";
    public const string ContainerName = "mover";
    public const string DataMountPath = "/data";
    public const string ConfigMountPath = "/config";
    public const string TerminationMessagePath = "/dev/termination-log";
    public const int BackoffLimit = 2;
    public const long NobodyId = 65534;

    public const string AddTimestampPrefixVar = "ADD_TIMESTAMP_PREFIX";
    public const string DestinationPrefixVar = "DATAMOVER_DESTINATION_PREFIX";
    public const string HomeVar = "HOME";

    /// <summary>The variables the operator sets itself; additionalEnv may not override them.</summary>
    public static IReadOnlySet<string> ReservedNames { get; } = new HashSet<string>(StringComparer.Ordinal) { AddTimestampPrefixVar, DestinationPrefixVar, HomeVar };

    /// <summary>The mover's exit codes for errors no retry can fix (mover/entrypoint.sh: configuration, credentials or bucket).</summary>
    public static IReadOnlyList<int> PermanentExitCodes { get; } = [2, 3];

    /// <summary>The Job, and the additionalEnv names dropped because the operator sets them.</summary>
    public static (Job Job, IReadOnlyList<string> Dropped) Build(Dm dm, DataMoverSpec spec, MoverJobPlan plan)
    {
        var (jobName, cloneName, destinationPrefix, defaultImage, runDeadline) = plan;
        var env = new List<EnvVar>
        {
            new() { Name = AddTimestampPrefixVar, Value = spec.AddTimestampPrefix == true ? "true" : "false" },
            new() { Name = DestinationPrefixVar, Value = destinationPrefix },
            new() { Name = HomeVar, Value = ConfigMountPath },
        };
        var dropped = new List<string>();
        foreach (var e in spec.AdditionalEnv ?? [])
        {
            if (ReservedNames.Contains(e.Name))
            {
                dropped.Add(e.Name);
                continue;
            }

            env.Add(e);
        }

        var (image, pullPolicy) = MoverImageRef.Resolve(spec.Image, defaultImage);
        var labels = DataMoverLabels.For(dm, Component);
        var job = new Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = new ObjectMeta
            {
                Name = jobName,
                Namespace = dm.Metadata.Namespace,
                Labels = labels,
                OwnerReferences = [DataMoverLabels.ControllerReference(dm)],
            },
            Spec = new JobSpec
            {
                BackoffLimit = BackoffLimit,
                ActiveDeadlineSeconds = Math.Max(1, (long)Math.Ceiling(runDeadline.TotalSeconds)),
                PodFailurePolicy = new PodFailurePolicy
                {
                    Rules =
                    [
                        // A permanent error fails at once instead of spending backoffLimit retries on it.
                        new PodFailurePolicyRule
                        {
                            Action = "FailJob",
                            OnExitCodes = new PodFailurePolicyOnExitCodesRequirement { ContainerName = ContainerName, Operator = "In", Values = PermanentExitCodes },
                        },
                        // Evicted or preempted (node drain, preemption): not the mover's fault, so not a spent attempt.
                        new PodFailurePolicyRule
                        {
                            Action = "Ignore",
                            OnPodConditions = [new PodFailurePolicyOnPodConditionsPattern { Type = "DisruptionTarget", Status = "True" }],
                        },
                    ],
                },
                Template = new PodTemplateSpec
                {
                    Metadata = new ObjectMeta { Labels = labels },
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
                                EnvFrom = [new EnvFromSource { SecretRef = new LocalObjectReference { Name = spec.SecretName } }],
                                VolumeMounts =
                                [
                                    // Read-only: the mover only reads the clone, and must never alter it.
                                    new VolumeMount { Name = "data", MountPath = DataMountPath, ReadOnly = true },
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
                            new Volume { Name = "data", PersistentVolumeClaim = new PersistentVolumeClaimVolumeSource { ClaimName = cloneName, ReadOnly = true } },
                            new Volume { Name = "config", EmptyDir = new EmptyDirVolumeSource() },
                        ],
                    },
                },
            },
        };
        return (job, dropped);
    }
}
