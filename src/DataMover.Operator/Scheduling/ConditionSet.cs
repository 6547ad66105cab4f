using DataMover.Kube.Models;

namespace DataMover.Operator.Scheduling;

/// <summary>metav1.Condition list updates that keep lastTransitionTime unless the status flips, as meta.SetStatusCondition does.</summary>
internal static class ConditionSet
{
    public static IReadOnlyList<Condition> Set(IReadOnlyList<Condition>? conditions, Condition desired, DateTimeOffset now)
    {
        var list = (conditions ?? []).ToList();
        var index = list.FindIndex(c => c.Type == desired.Type);
        if (index < 0)
        {
            list.Add(desired with { LastTransitionTime = desired.LastTransitionTime ?? now });
            return list;
        }

        var current = list[index];
        list[index] = desired with
        {
            LastTransitionTime = current.Status == desired.Status ? current.LastTransitionTime ?? now : now,
        };
        return list;
    }

    public static Condition? Find(IReadOnlyList<Condition>? conditions, string type) =>
        conditions?.FirstOrDefault(c => c.Type == type);
}
