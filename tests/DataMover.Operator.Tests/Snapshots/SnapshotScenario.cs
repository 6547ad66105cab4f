using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Sandbox.Node;

namespace DataMover.Operator.Tests.Snapshots;

/// <summary>
/// What the snapshot tests read from the sandbox: classes whose driver keeps a cut snapshot unready for a while (the
/// hostpath driver's <c>readyAfter</c> parameter, as a cloud driver's upload), and the external-snapshotter
/// finalizers and contents a backup must leave behind clean.
/// </summary>
internal static class SnapshotScenario
{
    public const string PvcAsSource = "snapshot.storage.kubernetes.io/pvc-as-source-protection";

    /// <summary>A hostpath class (deletionPolicy Delete) whose snapshots turn readyToUse only after <paramref name="readyAfter"/>.</summary>
    public static async Task<string> SlowClassAsync(KubeClient client, string readyAfter)
    {
        var name = "upload-" + Guid.NewGuid().ToString("N")[..8];
        await client.Resource(KubeResources.VolumeSnapshotClasses).CreateAsync(new VolumeSnapshotClass
        {
            ApiVersion = "snapshot.storage.k8s.io/v1",
            Kind = "VolumeSnapshotClass",
            Metadata = new ObjectMeta { Name = name },
            Driver = SandboxDrivers.HostPath,
            DeletionPolicy = "Delete",
            Parameters = new Dictionary<string, string> { [SnapshotController.ReadyAfterParameter] = readyAfter },
        });
        return name;
    }

    /// <summary>The VolumeSnapshotContents bound to snapshots of <paramref name="ns"/>.</summary>
    public static async Task<IReadOnlyList<string>> ContentsOfAsync(KubeClient client, string ns) =>
        (await client.Resource(SnapshotController.VolumeSnapshotContents).ListAsync(null)).Items
            .Where(c => SnapshotContentView.Of(c).SnapshotNamespace == ns)
            .Select(c => c.Metadata.Name!)
            .ToList();

    public static async Task<bool> IsProtectedAsync(KubeClient client, string ns, string claim) =>
        (await client.Resource(KubeResources.PersistentVolumeClaims).GetAsync(ns, claim)).Metadata.Finalizers?.Contains(PvcAsSource) == true;

    /// <summary>How often the DataMover <paramref name="name"/> was told <paramref name="reason"/> (aggregated events count).</summary>
    public static async Task<int> DataMoverEventsAsync(KubeClient client, string ns, string name, string reason) =>
        (await client.Resource(KubeResources.Events).ListAsync(ns)).Items
            .Where(e => e.InvolvedObject?.Kind == "DataMover" && e.InvolvedObject.Name == name && e.Reason == reason)
            .Sum(e => Math.Max(e.Count ?? 1, 1));
}
