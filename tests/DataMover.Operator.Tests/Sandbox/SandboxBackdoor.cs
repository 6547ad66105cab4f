using System.Reflection;
using System.Text.Json.Nodes;
using DataMover.Sandbox.ApiServer;
using DataMover.Sandbox.Hosting;

namespace DataMover.Operator.Tests.Sandbox;

/// <summary>
/// Test-only workaround: the sandbox API server currently rejects every status update of a PVC without
/// spec.volumeAttributesClassName (its immutability check compares an added null key). Until that is fixed, a
/// claim's status is written straight into the store, which still publishes the watch event the operator sees.
/// </summary>
internal static class SandboxBackdoor
{
    public static void SetPvcStatus(SandboxCluster cluster, string ns, string name, JsonObject status)
    {
        var store = (ResourceStore)typeof(SandboxCluster).GetField("_store", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(cluster)!;
        const string key = "/persistentvolumeclaims";
        lock (store.Gate)
        {
            var old = store.Get(key, ns, name) ?? throw new InvalidOperationException($"PVC {ns}/{name} not in store");
            var updated = (JsonObject)old.DeepClone();
            updated["status"] = status.DeepClone();
            store.Put(key, updated, old);
        }
    }
}
