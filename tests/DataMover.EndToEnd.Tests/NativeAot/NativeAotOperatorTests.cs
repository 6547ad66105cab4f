using System.Runtime.Versioning;
using DataMover.EndToEnd.Tests.Restore;
using DataMover.Operator.Api;

namespace DataMover.EndToEnd.Tests.NativeAot;

/// <summary>
/// The shipped build end to end: trimming and Native AOT can break what reflection or dynamic code reached in the JIT
/// build (JSON of the API types, the command line, Kestrel routes), and only this binary would show it.
/// </summary>
[SupportedOSPlatform("linux")]
[Collection(NativeAotCollection.Name)]
public sealed class NativeAotOperatorTests(NativeAotClusterFixture cluster)
{
    [Fact]
    public async Task The_native_AOT_operator_backs_up_a_volume_and_restores_it_as_it_was()
    {
        var scenario = await cluster.NewScenarioAsync("aot");
        var bucket = await scenario.NewBucketAsync("aot");
        await scenario.CreateStorageSecretAsync("storage", bucket);
        var volume = await scenario.CreateSourceVolumeAsync("app-data");
        FaithfulTree.Create(volume);
        var source = FaithfulTree.Snapshot(volume);

        await scenario.CreateDataMoverAsync("backup", "app-data", "storage", addTimestampPrefix: true, deletePvcAfterBackup: true);
        var dm = await scenario.WaitForEndAsync("backup", "Completed");
        Assert.Equal("True", dm.Status!.Conditions!.Single(c => c.Type == "Complete").Status);

        await scenario.CreateRestoreAsync("restore", new DataMoverRestoreSource { FromDataMover = "backup" }, "restored");
        var restore = await scenario.WaitForRestoreCompletedAsync("restore");
        Assert.Equal(dm.Status.DestinationPrefix, restore.Status!.Folder);
        Assert.Equal(string.Join('\n', source), string.Join('\n', FaithfulTree.Snapshot(await scenario.VolumePathAsync("restored"))));
        Assert.Contains(cluster.OperatorLog, l => l.Contains("DataMover operator", StringComparison.Ordinal) && l.Contains("starting", StringComparison.Ordinal));
    }
}
