namespace DataMover.Operator.Scheduling;

/// <summary>Applies spec.concurrencyPolicy to a due run.</summary>
internal static class ConcurrencyGate
{
    /// <summary>The policy named by the spec; Forbid when unset (the CRD rejects other values).</summary>
    public static ConcurrencyPolicy Parse(string? value) => value switch
    {
        "Allow" => ConcurrencyPolicy.Allow,
        "Replace" => ConcurrencyPolicy.Replace,
        _ => ConcurrencyPolicy.Forbid,
    };

    public static ConcurrencyDecision Decide(ConcurrencyPolicy policy, int activeRuns) => (policy, activeRuns) switch
    {
        (_, 0) => ConcurrencyDecision.Start,
        (ConcurrencyPolicy.Allow, _) => ConcurrencyDecision.Start,
        (ConcurrencyPolicy.Replace, _) => ConcurrencyDecision.ReplaceActive,
        _ => ConcurrencyDecision.Skip,
    };
}
