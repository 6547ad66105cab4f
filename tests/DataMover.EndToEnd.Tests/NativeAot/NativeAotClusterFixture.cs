using System.Runtime.Versioning;
using DataMover.EndToEnd.Tests.Backup;

namespace DataMover.EndToEnd.Tests.NativeAot;

/// <summary>
/// The backup cluster with the operator as the image runs it: the Native AOT executable, published for this run, in
/// its own process under the operator's ServiceAccount instead of in the test process.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class NativeAotClusterFixture : BackupClusterFixture
{
    private readonly string _publishDirectory = Directory.CreateTempSubdirectory("datamover-aot-").FullName;
    private NativeAotOperator? _operator;

    internal override IReadOnlyList<string> OperatorLog => _operator?.Log ?? [];

    protected override async Task<IAsyncDisposable> StartOperatorAsync(string operatorKubeconfig, CancellationToken ready)
    {
        // The publish takes a minute or two; it is not part of the operator's start timeout.
        using var publishing = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        var executable = await NativeAotOperator.PublishAsync(_publishDirectory, publishing.Token);
        using var starting = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        _operator = await NativeAotOperator.StartAsync(executable, operatorKubeconfig, starting.Token);
        return new Cleanup(_operator, _publishDirectory);
    }

    private sealed class Cleanup(NativeAotOperator running, string publishDirectory) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await running.DisposeAsync();
            Directory.Delete(publishDirectory, recursive: true);
        }
    }
}
