using DataMover.Operator.Api;

namespace DataMover.Operator.Security;

/// <summary>
/// Which mover pod settings a DataMover, schedule or restore may ask for (docs/security.md, "Mover pod settings").
/// Placement and identity are the user's; the hardening is not: no root unless the operator allows it, no label or
/// annotation the operator or the job controller relies on, and nothing outside the declared fields (a tenant must not
/// get a privileged pod through a DataMover).
/// </summary>
internal sealed class MoverPodSettingsPolicy(MoverRootAccess root)
{
    public const string Field = "spec.moverPod";

    /// <summary>Label and annotation key prefixes the operator and Kubernetes set on the mover's pod.</summary>
    private static readonly string[] ReservedPrefixes = ["app.kubernetes.io/", "datamover.a-cup-of.coffee/", "batch.kubernetes.io/"];

    private static readonly HashSet<string> ReservedKeys = new(StringComparer.Ordinal) { "controller-uid", "job-name" };

    private static readonly HashSet<string> FsGroupChangePolicies = new(StringComparer.Ordinal) { "OnRootMismatch", "Always" };

    public MoverRootAccess Root => root;

    /// <summary>The policy for an operator run with (or without) --allow-mover-root.</summary>
    public static MoverPodSettingsPolicy For(bool allowMoverRoot) => new(allowMoverRoot ? MoverRootAccess.Allowed : MoverRootAccess.Refused);

    /// <summary>Null when the pod may run with <paramref name="settings"/>; otherwise every refused field and why (field names and keys, never values).</summary>
    public string? WhyRefused(MoverPodSettings? settings, string field = Field)
    {
        if (settings is null)
        {
            return null;
        }

        var problems = new List<string>();
        foreach (var key in settings.Extra?.Keys ?? Enumerable.Empty<string>())
        {
            problems.Add($"{field}.{Quote(key)} is not a mover pod setting");
        }

        ReservedKeysIn(settings.PodLabels, $"{field}.podLabels", problems);
        ReservedKeysIn(settings.PodAnnotations, $"{field}.podAnnotations", problems);
        if (settings.SecurityContext is { } security)
        {
            var sc = $"{field}.securityContext";
            foreach (var key in security.Extra?.Keys ?? Enumerable.Empty<string>())
            {
                problems.Add($"{sc}.{Quote(key)} cannot be set: the mover always runs without privileges or capabilities, on a read-only root with RuntimeDefault seccomp; only runAsUser, runAsGroup, fsGroup, supplementalGroups and fsGroupChangePolicy are taken");
            }

            Id(security.RunAsUser, $"{sc}.runAsUser", problems);
            Id(security.RunAsGroup, $"{sc}.runAsGroup", problems);
            Id(security.FsGroup, $"{sc}.fsGroup", problems);
            foreach (var (gid, i) in (security.SupplementalGroups ?? []).Select((g, i) => (g, i)))
            {
                Id(gid, $"{sc}.supplementalGroups[{i}]", problems);
            }

            if (security.FsGroupChangePolicy is { } policy && !FsGroupChangePolicies.Contains(policy))
            {
                problems.Add($"{sc}.fsGroupChangePolicy must be OnRootMismatch or Always");
            }
        }

        return problems.Count == 0 ? null : string.Join("; ", problems) + " (docs/security.md)";
    }

    private void Id(long? id, string path, List<string> problems)
    {
        if (id < 0)
        {
            problems.Add($"{path} must not be negative");
        }
        else if (id == 0 && root == MoverRootAccess.Refused)
        {
            problems.Add($"{path} is 0 (root), which the operator allows only when it runs with --allow-mover-root");
        }
    }

    private static void ReservedKeysIn(IReadOnlyDictionary<string, string>? map, string path, List<string> problems)
    {
        foreach (var key in (map ?? new Dictionary<string, string>()).Keys.Where(IsReserved).Order(StringComparer.Ordinal))
        {
            problems.Add($"{path} sets {Quote(key)}, a key the operator or the job controller sets on the mover's pod");
        }
    }

    private static bool IsReserved(string key) =>
        ReservedKeys.Contains(key) || ReservedPrefixes.Any(p => key.StartsWith(p, StringComparison.Ordinal));

    /// <summary>A key as the user wrote it, made safe for a message.</summary>
    private static string Quote(string key)
    {
        var clean = new string([.. key.Take(100).Select(c => char.IsControl(c) ? '?' : c)]);
        return clean.Length == 0 ? "\"\"" : clean;
    }
}
