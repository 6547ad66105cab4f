using System.Security.Cryptography;
using System.Text;

namespace DataMover.Operator.Naming;

/// <summary>Length limits of Kubernetes names and the shortening that keeps derived names valid and distinct.</summary>
internal static class KubeNames
{
    /// <summary>DNS-1123 label: Job names (the job controller copies them into pod labels) and label values.</summary>
    public const int MaxLabelLength = 63;

    /// <summary>DNS-1123 subdomain: most object names, PVCs included.</summary>
    public const int MaxSubdomainLength = 253;

    /// <summary>Characters of hash appended to a shortened name.</summary>
    public const int HashLength = 6;

    /// <summary>A short, stable, lowercase hex digest of <paramref name="text"/>.</summary>
    public static string ShortHash(string text, int length = HashLength) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..length];

    /// <summary>
    /// <paramref name="name"/> if it fits in <paramref name="max"/> characters, else a prefix of it plus "-" and a
    /// hash of the whole name, so two long names sharing a prefix still differ.
    /// </summary>
    public static string Fit(string name, int max)
    {
        if (name.Length <= max)
        {
            return name;
        }

        var keep = max - HashLength - 1;
        var prefix = name[..keep].TrimEnd('-', '.', '_');
        return prefix + "-" + ShortHash(name);
    }

    /// <summary>A valid label value naming <paramref name="name"/> (shortened with a hash when longer than 63).</summary>
    public static string LabelValue(string name) => Fit(name, MaxLabelLength);
}
