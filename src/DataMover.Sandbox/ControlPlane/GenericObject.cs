using DataMover.Kube.Models;

namespace DataMover.Sandbox.ControlPlane;

/// <summary>
/// Any resource, typed only as far as metadata: everything else rides in <see cref="KubeModel.Extra"/> and
/// round-trips untouched. Lets the garbage collector and namespace controller handle custom resources.
/// </summary>
internal sealed record GenericObject : KubeObject;
