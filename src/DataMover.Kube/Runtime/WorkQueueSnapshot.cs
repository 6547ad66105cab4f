namespace DataMover.Kube.Runtime;

/// <summary>
/// A work queue at one instant: keys pending (client-go's depth), and the summed and the longest time the keys in
/// progress have been worked on (its unfinished work and longest running processor).
/// </summary>
public readonly record struct WorkQueueSnapshot(int Depth, TimeSpan Unfinished, TimeSpan Longest);
