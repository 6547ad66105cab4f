namespace DataMover.Operator.Tests.Support;

/// <summary>One sample line.</summary>
internal sealed record SampleText(string Name, IReadOnlyDictionary<string, string> Labels, double Value);
