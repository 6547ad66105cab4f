using DataMover.Kube.Models;

namespace DataMover.Operator.Scheduling;

/// <summary>What one condition of a schedule should say: status, reason and message.</summary>
internal sealed record ConditionVerdict(string Status, string Reason, string Message)
{
    public bool IsTrue => Status == "True";

    public static ConditionVerdict True(string reason, string message) => new("True", reason, message);

    public static ConditionVerdict False(string reason, string message) => new("False", reason, message);

    /// <summary>The verdict a condition already written states.</summary>
    public static ConditionVerdict Of(Condition condition) => new(condition.Status, condition.Reason ?? "", condition.Message ?? "");

    /// <summary>True when <paramref name="condition"/> already says this (so there is nothing new to report).</summary>
    public bool IsStatedBy(Condition? condition) =>
        condition is not null && condition.Status == Status && condition.Reason == Reason && (condition.Message ?? "") == Message;
}
