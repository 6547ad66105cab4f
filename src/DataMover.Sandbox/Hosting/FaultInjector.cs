using System.Globalization;

namespace DataMover.Sandbox.Hosting;

/// <summary>
/// Injected failures for reliability tests, changeable while the cluster runs.
/// Spec: comma-separated <c>name=value[:verb[+verb...]]</c> with names
/// <c>error500</c>, <c>error429</c>, <c>conflict</c> (probabilities 0..1, optional verb filter),
/// <c>latency</c> (ms added to every resource request), <c>cutWatches</c> (seconds between
/// closing all open watches) and <c>seed</c> (deterministic randomness).
/// Example: <c>error500=0.05,error429=0.05:list,conflict=0.1,latency=20,cutWatches=10</c>.
/// </summary>
public sealed class FaultInjector
{
    private static readonly string[] WriteVerbs = ["create", "update", "patch", "delete", "deletecollection"];
    private readonly object _gate = new();
    private List<Rule> _rules = [];
    private Random _random = new();

    /// <summary>Delay added before every resource request.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>When set, every open watch is closed at this interval.</summary>
    public TimeSpan? CutWatchesEvery { get; set; }

    /// <summary>True when any fault is configured.</summary>
    public bool Enabled
    {
        get
        {
            lock (_gate)
            {
                return _rules.Count > 0 || Latency > TimeSpan.Zero || CutWatchesEvery is not null;
            }
        }
    }

    public static FaultInjector Parse(string? spec)
    {
        var injector = new FaultInjector();
        injector.Configure(spec);
        return injector;
    }

    /// <summary>Replaces every setting with those of <paramref name="spec"/> (null or empty clears).</summary>
    public void Configure(string? spec)
    {
        var rules = new List<Rule>();
        TimeSpan latency = TimeSpan.Zero;
        TimeSpan? cut = null;
        int? seed = null;
        foreach (var item in (spec ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException($"fault '{item}' must look like name=value[:verb+verb]");
            }

            var name = item[..eq];
            var rest = item[(eq + 1)..];
            string[]? verbs = null;
            var colon = rest.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0)
            {
                verbs = rest[(colon + 1)..].Split('+', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                rest = rest[..colon];
            }

            var value = double.Parse(rest, NumberStyles.Float, CultureInfo.InvariantCulture);
            switch (name)
            {
                case "error500":
                    rules.Add(new Rule(500, Probability(value, item), verbs));
                    break;
                case "error429":
                    rules.Add(new Rule(429, Probability(value, item), verbs));
                    break;
                case "conflict":
                    rules.Add(new Rule(409, Probability(value, item), verbs ?? WriteVerbs));
                    break;
                case "latency":
                    latency = TimeSpan.FromMilliseconds(value);
                    break;
                case "cutWatches":
                    cut = value > 0 ? TimeSpan.FromSeconds(value) : null;
                    break;
                case "seed":
                    seed = (int)value;
                    break;
                default:
                    throw new FormatException($"unknown fault '{name}' (known: error500, error429, conflict, latency, cutWatches, seed)");
            }
        }

        lock (_gate)
        {
            _rules = rules;
            _random = seed is { } s ? new Random(s) : new Random();
            Latency = latency;
            CutWatchesEvery = cut;
        }
    }

    public void Clear() => Configure(null);

    /// <summary>Adds a rule answering <paramref name="statusCode"/> (500, 429 or 409) with the given probability.</summary>
    public void Add(int statusCode, double probability, params string[] verbs)
    {
        if (statusCode is not (500 or 429 or 409))
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), "only 500, 429 and 409 can be injected");
        }

        lock (_gate)
        {
            _rules = [.. _rules, new Rule(statusCode, Probability(probability, statusCode.ToString(CultureInfo.InvariantCulture)), verbs.Length == 0 ? (statusCode == 409 ? WriteVerbs : null) : verbs)];
        }
    }

    /// <summary>The status code to fail this request with, or 0.</summary>
    internal int Decide(string verb)
    {
        lock (_gate)
        {
            foreach (var rule in _rules)
            {
                if ((rule.Verbs is null || rule.Verbs.Contains(verb)) && _random.NextDouble() < rule.Probability)
                {
                    return rule.StatusCode;
                }
            }
        }

        return 0;
    }

    private static double Probability(double value, string item) =>
        value is >= 0 and <= 1 ? value : throw new FormatException($"fault '{item}': probability must be between 0 and 1");

    private sealed record Rule(int StatusCode, double Probability, string[]? Verbs);
}
