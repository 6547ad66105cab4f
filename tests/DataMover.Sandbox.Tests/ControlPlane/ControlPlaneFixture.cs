using DataMover.Sandbox.ControlPlane;
using DataMover.Sandbox.Hosting;

namespace DataMover.Sandbox.Tests.ControlPlane;

/// <summary>
/// A sandbox with the control plane but no node agent: tests play the kubelet (<see cref="KubeletStandIn"/>), so pod
/// phases, exit codes and conditions are exactly what a test needs, with no containers to run.
/// </summary>
public sealed class ControlPlaneFixture : SandboxClusterFixture
{
    public KubeletStandIn Kubelet => new(Client);

    protected override SandboxOptions Options()
    {
        var options = new SandboxOptions();
        var controlPlane = new ControlPlaneOptions { JobPodFailureBackoff = TimeSpan.FromMilliseconds(100) };
        options.Components.Add(ctx => new ControlPlaneComponent(ctx, controlPlane));
        return options;
    }
}

[CollectionDefinition(Name)]
public sealed class ControlPlaneCollection : ICollectionFixture<ControlPlaneFixture>
{
    public const string Name = "control-plane";
}
