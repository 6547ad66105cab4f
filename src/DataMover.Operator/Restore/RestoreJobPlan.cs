namespace DataMover.Operator.Restore;

/// <summary>What the restore Job is built from besides the restore's recorded status.</summary>
/// <param name="JobName">The Job's recorded name.</param>
/// <param name="DefaultImage">The operator's mover image, for what spec.image leaves unset.</param>
/// <param name="RunDeadline">The Job's activeDeadlineSeconds.</param>
/// <param name="RestoreOwnership">Run as root with the capabilities that restoring owners needs (opted in and allowed).</param>
/// <param name="PodSettings">spec.moverPod over the operator's defaults.</param>
internal sealed record RestoreJobPlan(string JobName, string DefaultImage, TimeSpan RunDeadline, bool RestoreOwnership, Api.MoverPodSettings? PodSettings = null);
