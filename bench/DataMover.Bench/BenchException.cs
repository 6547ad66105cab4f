namespace DataMover.Bench;

/// <summary>The bench itself could not run (as opposed to a goal being missed, which is a result).</summary>
internal sealed class BenchException(string message) : Exception(message);
