namespace DataMover.Bench;

/// <summary>How to start one build of the operator: the JIT build through dotnet, or a Native AOT executable.</summary>
internal sealed record OperatorBinary(string Label, string FileName, IReadOnlyList<string> LeadingArgs)
{
    public static OperatorBinary Jit(string repoRoot) =>
        new("JIT", "dotnet", [Path.Combine(repoRoot, "src/DataMover.Operator/bin/Release/net10.0/DataMover.Operator.dll")]);

    public static OperatorBinary Aot(string executable) => new("AOT", executable, []);
}
