using System.Text.Json;

namespace DataMover.Operator.Api;

/// <summary>
/// The operator's --mover-pod-defaults file: JSON of the spec.moverPod shape (YAML is not read, to keep the operator
/// free of a reflection-based parser; JSON is valid YAML, so the ConfigMap can hold it as it is).
/// </summary>
internal static class MoverPodSettingsFile
{
    /// <summary>The settings in <paramref name="path"/>; <see cref="InvalidDataException"/> naming the file and the problem when it cannot be used.</summary>
    public static MoverPodSettings Load(string path, Security.MoverPodSettingsPolicy policy)
    {
        MoverPodSettings? settings;
        try
        {
            settings = JsonSerializer.Deserialize(File.ReadAllText(path), OperatorJsonContext.Default.MoverPodSettings);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new InvalidDataException($"--mover-pod-defaults {path}: {e.Message}", e);
        }

        if (settings is null)
        {
            throw new InvalidDataException($"--mover-pod-defaults {path}: expected a JSON object of the spec.moverPod shape");
        }

        // Refused here rather than on every object: an administrator's mistake should stop the rollout, not each backup.
        return policy.WhyRefused(settings, "mover pod defaults") is { } why
            ? throw new InvalidDataException($"--mover-pod-defaults {path}: {why}")
            : settings;
    }
}
