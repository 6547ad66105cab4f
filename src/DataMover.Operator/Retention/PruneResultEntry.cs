namespace DataMover.Operator.Retention;

/// <summary>One folder of a prune listing, in the mover's compact form: folder, start time, schedule uid, has manifest, has tombstone.</summary>
internal sealed record PruneResultEntry
{
    public string? F { get; init; }
    public string? T { get; init; }
    public string? S { get; init; }
    public bool? M { get; init; }
    public bool? X { get; init; }
}
