using DataMover.Operator.Scheduling;

namespace DataMover.Operator.Tests.Scheduling;

public sealed class ConcurrencyGateTests
{
    [Theory]
    [InlineData(null, 0, "Start")]
    [InlineData(null, 1, "Skip")]
    [InlineData("Forbid", 0, "Start")]
    [InlineData("Forbid", 2, "Skip")]
    [InlineData("Allow", 0, "Start")]
    [InlineData("Allow", 3, "Start")]
    [InlineData("Replace", 0, "Start")]
    [InlineData("Replace", 1, "ReplaceActive")]
    public void Decides_by_policy_and_active_runs(string? policy, int active, string expected) =>
        Assert.Equal(Enum.Parse<ConcurrencyDecision>(expected), ConcurrencyGate.Decide(ConcurrencyGate.Parse(policy), active));
}
