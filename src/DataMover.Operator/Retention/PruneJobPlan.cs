namespace DataMover.Operator.Retention;

/// <summary>What one prune Job is built from.</summary>
/// <param name="JobName">Its deterministic name (<see cref="RetentionJobNamer"/>).</param>
/// <param name="RunName">The run of the schedule the prune follows.</param>
/// <param name="Folders">The folders to delete; null for the list pass.</param>
/// <param name="DefaultImage">The operator's mover image, for what spec.image leaves unset.</param>
/// <param name="Deadline">The Job's activeDeadlineSeconds.</param>
/// <param name="PodSettings">The schedule's spec.moverPod over the operator's defaults.</param>
internal sealed record PruneJobPlan(string JobName, string RunName, IReadOnlyList<string>? Folders, string DefaultImage, TimeSpan Deadline, Api.MoverPodSettings? PodSettings);
