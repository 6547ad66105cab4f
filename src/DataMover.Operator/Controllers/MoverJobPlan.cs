namespace DataMover.Operator.Controllers;

/// <summary>The decisions a mover Job is built from, all recorded in status or fixed by the operator.</summary>
/// <param name="JobName">The Job's recorded name.</param>
/// <param name="CloneName">The clone the mover reads.</param>
/// <param name="DestinationPrefix">The folder under spec.path ("" for the prefix itself).</param>
/// <param name="DefaultImage">The operator's mover image, for what spec.image leaves unset.</param>
/// <param name="RunDeadline">The Job's activeDeadlineSeconds.</param>
/// <param name="SourceCapacity">The clone's size (as the source's), for the backup's manifest; null when unknown.</param>
/// <param name="PodSettings">spec.moverPod over the operator's defaults.</param>
internal sealed record MoverJobPlan(string JobName, string CloneName, string DestinationPrefix, string DefaultImage, TimeSpan RunDeadline, string? SourceCapacity = null, Api.MoverPodSettings? PodSettings = null);
