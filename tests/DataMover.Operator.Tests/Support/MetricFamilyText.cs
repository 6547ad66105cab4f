namespace DataMover.Operator.Tests.Support;

/// <summary>One family of a scrape: its TYPE and its samples.</summary>
internal sealed record MetricFamilyText(string Name, string Type)
{
    public List<SampleText> Samples { get; } = [];

    /// <summary>The value of the sample named as the family with exactly these labels; null when absent.</summary>
    public double? Value(params (string Name, string Value)[] labels) =>
        Samples.FirstOrDefault(s => s.Name == Name && s.Labels.Count == labels.Length && labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value))?.Value;

    /// <summary>True when some sample carries all these labels (others allowed).</summary>
    public bool Has(params (string Name, string Value)[] labels) =>
        Samples.Any(s => labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value));
}
