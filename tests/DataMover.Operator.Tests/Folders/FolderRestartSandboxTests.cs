using DataMover.Operator.Controllers;
using DataMover.Operator.Naming;
using DataMover.Operator.Tests.Sandbox;

namespace DataMover.Operator.Tests.Folders;

/// <summary>Timestamp folders stay unique across an operator restart and when every worker starts deciding at once.</summary>
[Collection(SandboxCollection.Name)]
public sealed class FolderRestartSandboxTests(SandboxFixture fixture) : OperatorTestBase(fixture)
{
    private const string Timestamp = "2024-08-06-143052";
    private static readonly DateTimeOffset Now = new(2024, 8, 6, 14, 30, 52, TimeSpan.Zero);

    [Fact]
    public async Task AFolderRecordedBeforeARestartIsNotReusedAfterIt()
    {
        await CreateSourceAsync();
        await CreateDataMoverAsync("before", timestamp: true);
        var host = await StartOperatorAsync(new FixedTimeProvider(Now));
        var before = await WaitForDataMoverAsync("before", d => d.Status?.DestinationPrefix is not null, "the first folder");
        await StopAsync(host);

        await CreateDataMoverAsync("after", timestamp: true);
        await StartOperatorAsync(new FixedTimeProvider(Now));
        var after = await WaitForDataMoverAsync("after", d => d.Status?.DestinationPrefix is not null, "the second folder");

        Assert.Equal(Timestamp, before.Status!.DestinationPrefix);
        Assert.Equal(Timestamp + "-" + CloneNamer.DisambiguatorFor(after.Metadata.Uid!), after.Status!.DestinationPrefix);
    }

    [Fact]
    public async Task DataMoversWaitingWhenTheOperatorStartsGetDistinctFolders()
    {
        await CreateSourceAsync();
        var names = Enumerable.Range(1, 4).Select(i => "backup-" + i).ToArray();
        foreach (var name in names)
        {
            await CreateDataMoverAsync(name, timestamp: true);
        }

        // Every worker takes one at once, none seeing the others' status in its cache yet.
        await StartOperatorAsync(new FixedTimeProvider(Now));
        var folders = new List<string>();
        foreach (var name in names)
        {
            var dm = await WaitForDataMoverAsync(name, d => d.Status?.DestinationPrefix is not null, name + "'s folder");
            Assert.StartsWith(Timestamp, dm.Status!.DestinationPrefix, StringComparison.Ordinal);
            Assert.NotEqual(DataMoverPhase.Failed, dm.Status.Phase);
            folders.Add(dm.Status.DestinationPrefix!);
        }

        Assert.Equal(names.Length, folders.Distinct(StringComparer.Ordinal).Count());
        Assert.Contains(Timestamp, folders);
    }
}
