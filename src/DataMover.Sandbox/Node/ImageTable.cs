using System.Security.Cryptography;
using System.Text;

namespace DataMover.Sandbox.Node;

/// <summary>
/// The sandbox's registry: maps image references to host entrypoints. Lookup tries the exact reference, then the
/// repository without tag or digest, each also with Docker Hub's implicit <c>docker.io/library/</c> removed.
/// </summary>
internal sealed class ImageTable
{
    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    public const string MoverImage = "ghcr.io/datamover-operator/rclone-mover";

    private readonly Dictionary<string, ImageConfig> _images = new(StringComparer.Ordinal);

    public ImageTable(string? repoRoot, IEnumerable<KeyValuePair<string, string>>? overrides = null)
    {
        var shell = new ImageConfig { Cmd = ["/bin/sh"] };
        foreach (var name in new[] { "busybox", "alpine", "ubuntu", "debian" })
        {
            Add(name, shell);
        }

        Add("bash", new ImageConfig { Cmd = ["/bin/bash"] });
        Add("sandbox/noop-succeed", new ImageConfig { NoopExitCode = 0 });
        Add("sandbox/noop-fail", new ImageConfig { NoopExitCode = 1 });
        if (repoRoot is not null)
        {
            Add(MoverImage, new ImageConfig { Entrypoint = [Path.Combine(repoRoot, "mover", "entrypoint.sh")] });
        }

        foreach (var (name, path) in overrides ?? [])
        {
            Add(name, new ImageConfig { Entrypoint = [path] });
        }
    }

    public void Add(string name, ImageConfig config) =>
        _images[name] = config with { Digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name))) };

    public ImageConfig? Find(string? image)
    {
        if (string.IsNullOrWhiteSpace(image))
        {
            return null;
        }

        foreach (var candidate in Candidates(image))
        {
            if (_images.TryGetValue(candidate, out var config))
            {
                return config;
            }
        }

        return null;
    }

    internal static IEnumerable<string> Candidates(string image)
    {
        var repo = image;
        var at = repo.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            repo = repo[..at];
        }

        var colon = repo.LastIndexOf(':');
        if (colon > repo.LastIndexOf('/'))
        {
            repo = repo[..colon];
        }

        foreach (var name in new[] { image, repo })
        {
            yield return name;
            foreach (var prefix in new[] { "docker.io/library/", "docker.io/", "index.docker.io/library/", "library/" })
            {
                if (name.StartsWith(prefix, StringComparison.Ordinal))
                {
                    yield return name[prefix.Length..];
                }
            }
        }
    }

    /// <summary>The folder holding DataMover.sln, searched upward from <paramref name="start"/>.</summary>
    public static string? FindRepoRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DataMover.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
