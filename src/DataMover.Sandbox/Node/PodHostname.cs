using DataMover.Kube.Models;

namespace DataMover.Sandbox.Node;

/// <summary>
/// A pod's hostname as the kubelet derives it (GeneratePodHostNameAndDomain): the pod's name, cut to 63 characters
/// with trailing '-' and '.' trimmed, since a hostname label may not be longer.
/// </summary>
internal static class PodHostname
{
    public const int MaxLength = 63;

    public static string For(Pod pod)
    {
        var name = pod.Metadata.Name ?? "";
        return name.Length <= MaxLength ? name : name[..MaxLength].TrimEnd('-', '.');
    }
}
