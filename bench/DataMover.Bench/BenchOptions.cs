namespace DataMover.Bench;

/// <summary>The command line of bench/run, and the sizes each scenario runs with.</summary>
internal sealed record BenchOptions
{
    public static readonly string[] AllScenarios = ["P1", "P2", "P3", "P4", "P5"];

    public required string RepoRoot { get; init; }

    public bool Quick { get; init; }

    public bool Aot { get; init; }

    public string? OutFile { get; init; }

    public IReadOnlySet<string> Scenarios { get; init; } = new HashSet<string>(AllScenarios);

    public int SequentialBackups => Quick ? 20 : 50;

    public long TreeBytes => Quick ? 64L << 20 : 1L << 30;

    public int TreeFiles => Quick ? 1_000 : 10_000;

    public int ScaleCount => Quick ? 100 : 1_000;

    public TimeSpan IdleWindow => TimeSpan.FromSeconds(Quick ? 15 : 60);

    public bool Runs(string scenario) => Scenarios.Contains(scenario);

    public static BenchOptions Parse(string[] args)
    {
        string? repo = null, outFile = null;
        bool quick = false, aot = false;
        HashSet<string> only = new(AllScenarios, StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new BenchException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--repo":
                    repo = Value();
                    break;
                case "--quick":
                    quick = true;
                    break;
                case "--aot":
                    aot = true;
                    break;
                case "--out":
                    outFile = Path.GetFullPath(Value());
                    break;
                case "--only":
                    only = new HashSet<string>(Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToUpperInvariant()), StringComparer.OrdinalIgnoreCase);
                    if (only.Except(AllScenarios).FirstOrDefault() is { } unknown)
                    {
                        throw new BenchException($"--only: unknown scenario {unknown} (known: {string.Join(',', AllScenarios)})");
                    }

                    break;
                default:
                    throw new BenchException($"unknown argument {args[i]} (usage: bench/run [--quick] [--only P1,P3] [--aot] [--out table.md])");
            }
        }

        return new BenchOptions { RepoRoot = repo ?? throw new BenchException("--repo is required (bench/run passes it)"), Quick = quick, Aot = aot, OutFile = outFile, Scenarios = only };
    }
}
