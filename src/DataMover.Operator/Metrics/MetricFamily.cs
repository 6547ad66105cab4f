namespace DataMover.Operator.Metrics;

/// <summary>
/// One metric name with its HELP, TYPE and label names, and a value (or histogram) per label-value tuple.
/// Thread-safe; series are kept in insertion order so the exposition is stable.
/// </summary>
internal sealed class MetricFamily
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Series> _series = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    public MetricFamily(string name, string help, MetricKind kind, IReadOnlyList<string> labelNames, IReadOnlyList<double>? buckets = null)
    {
        Name = name;
        Help = help;
        Kind = kind;
        LabelNames = labelNames;
        Buckets = buckets ?? [];
    }

    public string Name { get; }
    public string Help { get; }
    public MetricKind Kind { get; }
    public IReadOnlyList<string> LabelNames { get; }
    public IReadOnlyList<double> Buckets { get; }

    public void Increment(double by, params string[] labelValues)
    {
        lock (_gate)
        {
            Get(labelValues).Value += by;
        }
    }

    public void Set(double value, params string[] labelValues)
    {
        lock (_gate)
        {
            Get(labelValues).Value = value;
        }
    }

    public void Observe(double value, params string[] labelValues)
    {
        lock (_gate)
        {
            var s = Get(labelValues);
            s.Count++;
            s.Value += value;
            for (var i = 0; i < Buckets.Count; i++)
            {
                if (value <= Buckets[i])
                {
                    s.BucketCounts[i]++;
                }
            }
        }
    }

    /// <summary>Removes the series with these label values (a deleted object must not linger as a gauge).</summary>
    public void Remove(params string[] labelValues)
    {
        lock (_gate)
        {
            var key = Key(labelValues);
            if (_series.Remove(key))
            {
                _order.Remove(key);
            }
        }
    }

    /// <summary>The value of one series (sum for histograms); null when absent.</summary>
    public double? Value(params string[] labelValues)
    {
        lock (_gate)
        {
            return _series.TryGetValue(Key(labelValues), out var s) ? s.Value : null;
        }
    }

    /// <summary>The observation count of one histogram series; 0 when absent.</summary>
    public long Count(params string[] labelValues)
    {
        lock (_gate)
        {
            return _series.TryGetValue(Key(labelValues), out var s) ? s.Count : 0;
        }
    }

    /// <summary>A consistent copy of all series.</summary>
    public IReadOnlyList<SeriesSnapshot> Snapshot()
    {
        lock (_gate)
        {
            return [.. _order.Select(k => _series[k]).Select(s => new SeriesSnapshot(s.LabelValues, s.Value, s.Count, [.. s.BucketCounts]))];
        }
    }

    private Series Get(string[] labelValues)
    {
        if (labelValues.Length != LabelNames.Count)
        {
            throw new ArgumentException($"{Name} takes {LabelNames.Count} label values, got {labelValues.Length}", nameof(labelValues));
        }

        var key = Key(labelValues);
        if (!_series.TryGetValue(key, out var s))
        {
            s = new Series([.. labelValues], new long[Buckets.Count]);
            _series[key] = s;
            _order.Add(key);
        }

        return s;
    }

    private static string Key(string[] labelValues) => string.Join('\u0001', labelValues);

    private sealed class Series(string[] labelValues, long[] bucketCounts)
    {
        public string[] LabelValues { get; } = labelValues;
        public long[] BucketCounts { get; } = bucketCounts;
        public double Value { get; set; }
        public long Count { get; set; }
    }
}

/// <summary>One series of a <see cref="MetricFamily"/> at one instant; bucket counts are cumulative (observations &lt;= each bound).</summary>
internal sealed record SeriesSnapshot(IReadOnlyList<string> LabelValues, double Value, long Count, IReadOnlyList<long> BucketCounts);
