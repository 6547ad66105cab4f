using DataMover.Kube.Models;

namespace DataMover.Sandbox.ControlPlane;

/// <summary>core/v1 Toleration as the scheduler matches it, read from a pod's <c>spec.tolerations</c>.</summary>
internal sealed record Toleration
{
    public string? Key { get; init; }
    public string? Operator { get; init; }
    public string? Value { get; init; }
    public string? Effect { get; init; }
    public long? TolerationSeconds { get; init; }

    public static IReadOnlyList<Toleration> Of(Pod pod) =>
        [.. (pod.Spec?.Tolerations ?? []).Select(t => new Toleration { Key = t.Key, Operator = t.Operator, Value = t.Value, Effect = t.Effect, TolerationSeconds = t.TolerationSeconds })];

    /// <summary>
    /// k8s.io/api core/v1 <c>Toleration.ToleratesTaint</c>: an empty effect matches every effect, an empty key (only
    /// valid with Exists) every key; Exists ignores the value, Equal (the default) compares it.
    /// </summary>
    public bool Tolerates(Taint taint)
    {
        if (!string.IsNullOrEmpty(Effect) && Effect != taint.Effect)
        {
            return false;
        }

        if (!string.IsNullOrEmpty(Key) && Key != taint.Key)
        {
            return false;
        }

        return Operator switch
        {
            null or "" or "Equal" => (Value ?? "") == (taint.Value ?? ""),
            "Exists" => true,
            _ => false,
        };
    }
}
