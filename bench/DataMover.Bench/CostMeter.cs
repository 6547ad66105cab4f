using System.Diagnostics;

namespace DataMover.Bench;

/// <summary>Samples every side's /proc counters at the start of a scenario and turns the difference into <see cref="SideCosts"/>.</summary>
internal sealed class CostMeter
{
    private readonly Func<ProcessSample> _operator;
    private readonly Func<ProcessSample> _sandbox;
    private readonly Func<ProcessSample> _s3;
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly ProcessSample _operatorBefore;
    private readonly ProcessSample _sandboxBefore;
    private readonly ProcessSample _s3Before;

    public CostMeter(Func<ProcessSample> operatorSample, Func<ProcessSample> sandboxSample, Func<ProcessSample>? s3Sample = null)
    {
        _operator = operatorSample;
        _sandbox = sandboxSample;
        _s3 = s3Sample ?? (() => ProcessSample.Empty);
        _operatorBefore = _operator();
        _sandboxBefore = _sandbox();
        _s3Before = _s3();
    }

    public SideCosts Stop()
    {
        var sandbox = _sandbox() - _sandboxBefore;
        return new SideCosts(
            Stopwatch.GetElapsedTime(_start),
            (_operator() - _operatorBefore).CpuSeconds,
            sandbox.CpuSeconds,
            sandbox.ChildCpuSeconds,
            (_s3() - _s3Before).CpuSeconds);
    }
}
