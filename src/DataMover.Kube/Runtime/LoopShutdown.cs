namespace DataMover.Kube.Runtime;

/// <summary>How a <see cref="ControllerLoop"/> ended: reconciles in flight at the stop that finished, and those abandoned.</summary>
public sealed record LoopShutdown(int Finished, int Abandoned);
