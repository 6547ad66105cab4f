using System.Globalization;

namespace DataMover.Sandbox.Hosting;

/// <summary>
/// Injected failures for reliability tests, changeable while the cluster runs.
/// Spec: comma-separated <c>name=value[:selector[+selector...]]</c>. Probabilities (0..1): <c>error500</c>,
/// <c>error429</c>, <c>error503</c>, <c>error504</c>, <c>conflict</c> (defaults to write verbs), <c>reset</c> (connection
/// aborted without a response), <c>hang</c> (no answer until the client gives up or <c>hangSeconds</c> pass, then the
/// connection is aborted), <c>tooLargeRV</c> (watches that carry a resourceVersion). Settings: <c>latency</c> (ms added
/// to every resource request), <c>cutWatches</c> (seconds between closing all open watches), <c>hangSeconds</c> (cap of
/// a hung request, default 60) and <c>seed</c> (deterministic randomness). A selector is a verb (<c>list</c>), a
/// resource (<c>pods</c>) or both (<c>update/jobs</c>); a rule applies when any of its selectors matches.
/// Example: <c>error500=0.05,error429=0.05:list,conflict=0.1:update/jobs,reset=0.01:pods,latency=20,cutWatches=10</c>.
/// </summary>
public sealed class FaultInjector
{
    private static readonly string[] WriteVerbs = ["create", "update", "patch", "delete", "deletecollection"];
    private static readonly string[] Verbs = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];
    private static readonly Dictionary<string, FaultKind> Kinds = new()
    {
        ["error500"] = FaultKind.InternalError,
        ["error429"] = FaultKind.TooManyRequests,
        ["error503"] = FaultKind.ServiceUnavailable,
        ["error504"] = FaultKind.Timeout,
        ["conflict"] = FaultKind.Conflict,
        ["reset"] = FaultKind.ConnectionReset,
        ["hang"] = FaultKind.Hang,
        ["tooLargeRV"] = FaultKind.TooLargeResourceVersion,
    };

    private static readonly Dictionary<int, FaultKind> ByStatusCode = new()
    {
        [500] = FaultKind.InternalError,
        [429] = FaultKind.TooManyRequests,
        [409] = FaultKind.Conflict,
        [503] = FaultKind.ServiceUnavailable,
        [504] = FaultKind.Timeout,
    };

    private readonly object _gate = new();
    private List<Rule> _rules = [];
    private Random _random = new();

    /// <summary>Delay added before every resource request.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>When set, every open watch is closed at this interval.</summary>
    public TimeSpan? CutWatchesEvery { get; set; }

    /// <summary>How long a hung request is held before its connection is aborted, unless the client gives up first.</summary>
    public TimeSpan HangLimit { get; set; } = DefaultHangLimit;

    private static readonly TimeSpan DefaultHangLimit = TimeSpan.FromSeconds(60);

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
        var hangLimit = DefaultHangLimit;
        int? seed = null;
        foreach (var item in (spec ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException($"fault '{item}' must look like name=value[:selector+selector]");
            }

            var name = item[..eq];
            var rest = item[(eq + 1)..];
            string[]? selectors = null;
            var colon = rest.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0)
            {
                selectors = rest[(colon + 1)..].Split('+', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                rest = rest[..colon];
            }

            var value = double.Parse(rest, NumberStyles.Float, CultureInfo.InvariantCulture);
            if (Kinds.TryGetValue(name, out var kind))
            {
                rules.Add(NewRule(kind, Probability(value, item), selectors));
                continue;
            }

            switch (name)
            {
                case "latency":
                    latency = TimeSpan.FromMilliseconds(value);
                    break;
                case "cutWatches":
                    cut = value > 0 ? TimeSpan.FromSeconds(value) : null;
                    break;
                case "hangSeconds":
                    hangLimit = TimeSpan.FromSeconds(value);
                    break;
                case "seed":
                    seed = (int)value;
                    break;
                default:
                    throw new FormatException($"unknown fault '{name}' (known: {string.Join(", ", Kinds.Keys)}, latency, cutWatches, hangSeconds, seed)");
            }
        }

        lock (_gate)
        {
            _rules = rules;
            _random = seed is { } s ? new Random(s) : new Random();
            Latency = latency;
            CutWatchesEvery = cut;
            HangLimit = hangLimit;
        }
    }

    public void Clear() => Configure(null);

    /// <summary>Adds a rule answering <paramref name="statusCode"/> (500, 429, 409, 503 or 504) with the given probability.</summary>
    public void Add(int statusCode, double probability, params string[] selectors)
    {
        if (!ByStatusCode.TryGetValue(statusCode, out var kind))
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), "only 500, 429, 409, 503 and 504 can be injected");
        }

        var rule = NewRule(kind, Probability(probability, statusCode.ToString(CultureInfo.InvariantCulture)), selectors.Length == 0 ? null : selectors);
        lock (_gate)
        {
            _rules = [.. _rules, rule];
        }
    }

    /// <summary>The fault for a request with this verb on this resource (plural), or <see cref="FaultKind.None"/>.</summary>
    internal FaultKind Decide(string verb, string resource)
    {
        lock (_gate)
        {
            foreach (var rule in _rules)
            {
                if (rule.Matches(verb, resource) && _random.NextDouble() < rule.Probability)
                {
                    return rule.Kind;
                }
            }
        }

        return FaultKind.None;
    }

    private static Rule NewRule(FaultKind kind, double probability, string[]? selectors)
    {
        if (selectors is null)
        {
            return new Rule(kind, probability, kind == FaultKind.Conflict ? [.. WriteVerbs.Select(v => new Selector(v, null))] : null);
        }

        return new Rule(kind, probability, [.. selectors.Select(ParseSelector)]);
    }

    private static Selector ParseSelector(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0)
        {
            var verb = text[..slash];
            return Verbs.Contains(verb) ? new Selector(verb, text[(slash + 1)..]) : throw new FormatException($"fault selector '{text}': unknown verb '{verb}'");
        }

        return Verbs.Contains(text) ? new Selector(text, null) : new Selector(null, text);
    }

    private static double Probability(double value, string item) =>
        value is >= 0 and <= 1 ? value : throw new FormatException($"fault '{item}': probability must be between 0 and 1");

    private sealed record Selector(string? Verb, string? Resource)
    {
        public bool Matches(string verb, string resource) => (Verb is null || Verb == verb) && (Resource is null || Resource == resource);
    }

    private sealed record Rule(FaultKind Kind, double Probability, Selector[]? Selectors)
    {
        public bool Matches(string verb, string resource) => Selectors is null || Selectors.Any(s => s.Matches(verb, resource));
    }
}
