namespace DataMover.Operator.Controllers;

/// <summary>Condition types of a DataMover.</summary>
internal static class ConditionTypes
{
    /// <summary>True once the backup succeeded (what <c>kubectl wait --for=condition=Complete</c> waits for).</summary>
    public const string Complete = "Complete";

    /// <summary>True once the DataMover gave up; the message says why.</summary>
    public const string Failed = "Failed";

    /// <summary>While work remains: True when advancing, False when blocked; reason and message say on what.</summary>
    public const string Progressing = "Progressing";
}
