using DataMover.Operator.Api;

namespace DataMover.Operator.Controllers;

/// <summary>Resolves the mover image: each field of spec.image falls back to the operator's default.</summary>
internal static class MoverImageRef
{
    public const string DefaultImage = "ghcr.io/datamover-operator/rclone-mover:0.1.0";
    public const string DefaultPullPolicy = "IfNotPresent";

    /// <summary>The image reference and pull policy to use.</summary>
    public static (string Image, string PullPolicy) Resolve(MoverImage? image, string defaultImage)
    {
        var (repository, tag) = Split(defaultImage);
        repository = string.IsNullOrEmpty(image?.Repository) ? repository : image.Repository;
        tag = string.IsNullOrEmpty(image?.Tag) ? tag : image.Tag;
        var reference = tag is null ? repository : tag.StartsWith("sha256:", StringComparison.Ordinal) ? $"{repository}@{tag}" : $"{repository}:{tag}";
        return (reference, string.IsNullOrEmpty(image?.PullPolicy) ? DefaultPullPolicy : image.PullPolicy);
    }

    /// <summary>Splits "host:port/repo:tag" (or "repo@sha256:...") into repository and tag; the port colon is not a tag.</summary>
    public static (string Repository, string? Tag) Split(string reference)
    {
        var at = reference.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            return (reference[..at], reference[(at + 1)..]);
        }

        var colon = reference.LastIndexOf(':');
        var slash = reference.LastIndexOf('/');
        return colon > slash ? (reference[..colon], reference[(colon + 1)..]) : (reference, null);
    }
}
