using DataMover.Kube.Models;

namespace DataMover.Operator.Controllers;

/// <summary>Sets metav1.Conditions the way apimachinery's meta.SetStatusCondition does.</summary>
internal static class Conditions
{
    /// <summary>
    /// Returns <paramref name="conditions"/> with <paramref name="type"/> set; lastTransitionTime moves only when
    /// the status changes, so a rewrite with the same status does not look like a transition.
    /// </summary>
    public static IReadOnlyList<Condition> Set(
        IReadOnlyList<Condition>? conditions, string type, bool status, string reason, string message, long? generation, DateTimeOffset now)
    {
        var list = conditions?.ToList() ?? [];
        var statusText = status ? "True" : "False";
        var index = list.FindIndex(c => c.Type == type);
        var old = index >= 0 ? list[index] : null;
        var updated = new Condition
        {
            Type = type,
            Status = statusText,
            Reason = reason,
            Message = message,
            ObservedGeneration = generation,
            LastTransitionTime = old is not null && old.Status == statusText ? old.LastTransitionTime : now,
        };
        if (index >= 0)
        {
            list[index] = updated;
        }
        else
        {
            list.Add(updated);
        }

        return list;
    }

    public static Condition? Find(IReadOnlyList<Condition>? conditions, string type) =>
        conditions?.FirstOrDefault(c => c.Type == type);
}
