using System.Globalization;

namespace DataMover.Bench;

/// <summary>
/// Wall time and CPU seconds of each side over one scenario: the operator process, the sandbox process (API server,
/// controllers, kubelet), the mover pods (the sandbox's reaped children) and the S3 server.
/// </summary>
internal sealed record SideCosts(TimeSpan Wall, double OperatorCpu, double SandboxCpu, double PodCpu, double S3Cpu)
{
    /// <summary>The side that burned the most CPU: on a shared 2-core machine, the one a faster run needs changed.</summary>
    public string BusiestSide =>
        new[] { ("operator", OperatorCpu), ("sandbox", SandboxCpu), ("mover", PodCpu), ("s3rver", S3Cpu) }.MaxBy(s => s.Item2).Item1;

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"CPU s: operator {OperatorCpu:0.0}, sandbox {SandboxCpu:0.0}, pods {PodCpu:0.0}{(S3Cpu > 0 ? $", s3rver {S3Cpu:0.0}" : "")}");
}
