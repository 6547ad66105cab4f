using DataMover.Sandbox.ControlPlane;
using DataMover.Sandbox.Hosting;

namespace DataMover.Sandbox.Node;

/// <summary>Adds the control plane and the node agent to a sandbox, as <c>serve</c> does.</summary>
public static class SandboxComponents
{
    public static SandboxOptions AddDefaults(SandboxOptions options, ControlPlaneOptions? controlPlane = null, NodeAgentOptions? node = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Components.Add(ctx => new ControlPlaneComponent(ctx, controlPlane ?? new ControlPlaneOptions()));
        options.Components.Add(ctx => new NodeAgentComponent(ctx, node));
        return options;
    }
}
