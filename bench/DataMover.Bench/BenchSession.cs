using System.Globalization;

namespace DataMover.Bench;

/// <summary>What the scenarios share: options, the work directory, the cluster, the running operator and the table.</summary>
internal sealed class BenchSession(BenchOptions options, string workDir, BenchCluster cluster) : IAsyncDisposable
{
    private int _operatorStarts;

    public BenchOptions Options { get; } = options;

    public string WorkDir { get; } = workDir;

    public BenchCluster Cluster { get; } = cluster;

    public ResultTable Table { get; } = new();

    public OperatorProcess? Operator { get; private set; }

    /// <summary>The Native AOT build when --aot asked for it and it published; else why not.</summary>
    public OperatorBinary? AotBinary { get; set; }

    public string? AotUnavailable { get; set; }

    /// <summary>
    /// The build the backup scenarios (P1, P2, P3, P5) run on: the Native AOT executable the image ships when --aot
    /// published it, else the JIT build. P4 measures every build.
    /// </summary>
    public OperatorBinary BackupBuild => AotBinary ?? OperatorBinary.Jit(Options.RepoRoot);

    public static void Progress(string message) => Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {message}");

    public static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:0} MiB");

    public static string Ms(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{t.TotalMilliseconds:0} ms");

    public static string Seconds(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.0} s");

    public CostMeter Meter(Func<ProcessSample>? s3 = null) =>
        new(() => Operator?.Sample() ?? ProcessSample.Empty, Cluster.Process.Sample, s3);

    /// <summary>
    /// Stops the running operator, if any, and starts <paramref name="binary"/> with <paramref name="moverImage"/> as its
    /// default mover image (null: the operator's own default, the real mover); returns once it is ready.
    /// </summary>
    public async Task<OperatorProcess> StartOperatorAsync(OperatorBinary binary, string? moverImage, CancellationToken ct)
    {
        await StopOperatorAsync();
        var log = Path.Combine(WorkDir, $"operator-{++_operatorStarts}-{binary.Label}.log");
        Operator = await OperatorProcess.StartAsync(Cluster, binary, moverImage, log, ct);
        return Operator;
    }

    public async Task StopOperatorAsync()
    {
        if (Operator is not null)
        {
            await Operator.DisposeAsync();
            Operator = null;
        }
    }

    /// <summary>Every build the run measures for P4: JIT, and AOT when it published.</summary>
    public IEnumerable<OperatorBinary> Binaries()
    {
        yield return OperatorBinary.Jit(Options.RepoRoot);
        if (AotBinary is not null)
        {
            yield return AotBinary;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopOperatorAsync();
        await Cluster.DisposeAsync();
    }
}
