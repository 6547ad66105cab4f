using DataMover.Operator.Api;
using DataMover.Operator.Controllers;

namespace DataMover.Operator.Security;

/// <summary>
/// Which mover images a DataMover may name in spec.image. The mover runs with the storage credentials and the clone
/// mounted, so its image is an administrator's decision: the operator's own mover repository (any tag or digest) by
/// default, or the repositories listed with --allowed-mover-images. Repositories are compared in their canonical
/// form (docker.io/library/busybox for busybox), so a short name cannot pass for another registry's image.
/// </summary>
internal sealed class MoverImagePolicy
{
    public const string Flag = "--allowed-mover-images";
    public const string EnvVar = "DATAMOVER_ALLOWED_MOVER_IMAGES";

    private readonly string _defaultImage;
    private readonly IReadOnlyList<string> _patterns;

    /// <param name="defaultImage">The operator's --mover-image.</param>
    /// <param name="allowed">Repository patterns (<c>ghcr.io/acme/*</c>, <c>registry.local/mover</c>); empty allows only the default image's repository.</param>
    public MoverImagePolicy(string defaultImage, IReadOnlyList<string>? allowed)
    {
        _defaultImage = defaultImage;
        var patterns = (allowed ?? []).Select(p => p.Trim()).Where(p => p.Length > 0).ToList();
        if (patterns.Count == 0)
        {
            patterns.Add(MoverImageRef.Split(defaultImage).Repository);
        }

        // A pattern that starts with * ("*" itself: any image) has no registry part to complete.
        _patterns = [.. patterns.Select(p => p.StartsWith('*') ? p : Canonical(p))];
    }

    /// <summary>The canonical repository patterns in force, for messages and the start-up log.</summary>
    public IReadOnlyList<string> Patterns => _patterns;

    /// <summary>Parses the flag's comma-separated list.</summary>
    public static IReadOnlyList<string> ParseList(string? text) =>
        [.. (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    /// <summary>Null when the image <paramref name="image"/> resolves to is allowed; otherwise the refusal message.</summary>
    public string? WhyRefused(MoverImage? image)
    {
        var (reference, _) = MoverImageRef.Resolve(image, _defaultImage);
        var repository = Canonical(MoverImageRef.Split(reference).Repository);
        if (_patterns.Any(p => Matches(p, repository)))
        {
            return null;
        }

        var shown = new string([.. reference.Take(200).Select(c => char.IsControl(c) ? '?' : c)]);
        return $"spec.image resolves to {shown} (repository {repository}), which is not an allowed mover image " +
            $"(allowed repositories: {string.Join(", ", _patterns)}); an administrator can widen the list with the operator's " +
            $"{Flag} flag or {EnvVar} (docs/security.md)";
    }

    /// <summary>
    /// docker.io/library/x for "x", docker.io/a/b for "a/b": the first component names a registry only when it has a
    /// dot or a port, or is localhost, as the container runtimes read it.
    /// </summary>
    public static string Canonical(string repository)
    {
        var r = repository.Trim();
        var slash = r.IndexOf('/', StringComparison.Ordinal);
        var first = slash < 0 ? "" : r[..slash];
        var hasRegistry = slash > 0 && (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost");
        if (hasRegistry)
        {
            return first.ToLowerInvariant() + r[slash..];
        }

        return slash < 0 ? "docker.io/library/" + r : "docker.io/" + r;
    }

    /// <summary>An exact repository, or a pattern whose <c>*</c> matches any run of characters (including <c>/</c>).</summary>
    private static bool Matches(string pattern, string repository)
    {
        if (!pattern.Contains('*', StringComparison.Ordinal))
        {
            return pattern == repository;
        }

        var parts = pattern.Split('*');
        if (!repository.StartsWith(parts[0], StringComparison.Ordinal) || !repository.EndsWith(parts[^1], StringComparison.Ordinal)
            || repository.Length < parts[0].Length + parts[^1].Length)
        {
            return false;
        }

        var at = parts[0].Length;
        var end = repository.Length - parts[^1].Length;
        for (var i = 1; i < parts.Length - 1; i++)
        {
            var found = repository.IndexOf(parts[i], at, end - at, StringComparison.Ordinal);
            if (found < 0)
            {
                return false;
            }

            at = found + parts[i].Length;
        }

        return at <= end;
    }
}
