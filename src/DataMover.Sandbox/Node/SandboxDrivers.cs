namespace DataMover.Sandbox.Node;

/// <summary>The sandbox's CSI drivers and the storage classes that use them.</summary>
internal static class SandboxDrivers
{
    public const string HostPath = "hostpath.csi.sandbox.datamover.dev";
    public const string NoClone = "noclone.csi.sandbox.datamover.dev";
    public const string Slow = "slow.csi.sandbox.datamover.dev";
    public const string PvFinalizer = "external-provisioner.volume.kubernetes.io/finalizer";

    public static IReadOnlyList<string> All { get; } = [HostPath, NoClone, Slow];

    public static bool SupportsClone(string driver) => driver != NoClone;

    public static bool SupportsSnapshot(string driver) => driver == HostPath;
}
