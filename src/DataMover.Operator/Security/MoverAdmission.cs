using DataMover.Kube.Models;
using DataMover.Operator.Api;

namespace DataMover.Operator.Security;

/// <summary>
/// The check every object that runs a mover passes before anything is created for it (DataMover at acceptance,
/// DataMoverSchedule before each run, DataMoverRestore): its additionalEnv, its image and its pod settings.
/// </summary>
internal sealed class MoverAdmission(MoverImagePolicy images, MoverPodSettingsPolicy pods)
{
    public const string EnvNotAllowed = "EnvNotAllowed";
    public const string ImageNotAllowed = "ImageNotAllowed";
    public const string PodSettingsNotAllowed = "PodSettingsNotAllowed";

    public MoverImagePolicy Images => images;

    public MoverPodSettingsPolicy Pods => pods;

    /// <summary>Null when the mover may run as specified; otherwise the reason and a message naming every refused name (never a value).</summary>
    public Refusal? Check(IReadOnlyList<EnvVar>? additionalEnv, MoverImage? image, MoverPodSettings? moverPod)
    {
        var env = MoverEnvPolicy.Refused(additionalEnv);
        if (env.Count > 0)
        {
            return new Refusal(EnvNotAllowed, MoverEnvPolicy.Describe(env));
        }

        if (images.WhyRefused(image) is { } why)
        {
            return new Refusal(ImageNotAllowed, why);
        }

        return pods.WhyRefused(moverPod) is { } podWhy ? new Refusal(PodSettingsNotAllowed, podWhy) : null;
    }
}

/// <summary>Why an object may not run a mover: a condition reason and its message.</summary>
internal sealed record Refusal(string Reason, string Message);
