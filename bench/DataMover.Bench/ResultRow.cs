namespace DataMover.Bench;

/// <summary>
/// One line of the table: a figure, what was measured, its goal, whether it is met (null when the figure has no goal or
/// a --quick size cannot be compared with it), and which side limits it.
/// </summary>
internal sealed record ResultRow(string Figure, string Measured, string Goal, bool? Met, string LimitedBy)
{
    public string MetText => Met switch { true => "yes", false => "**no**", null => "–" };
}
