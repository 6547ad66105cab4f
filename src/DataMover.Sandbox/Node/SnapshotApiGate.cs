using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Kube.Runtime;

namespace DataMover.Sandbox.Node;

/// <summary>
/// Tells whether the cluster serves <c>snapshot.storage.k8s.io</c> (the external snapshotter's CRDs, which many
/// clusters lack) and, when it does not, waits for the VolumeSnapshot CRD to be created and Established. It watches
/// only that one CRD by name, so waiting costs one idle watch instead of an informer retrying a 404 forever.
/// </summary>
internal sealed partial class SnapshotApiGate
{
    public const string CrdName = "volumesnapshots.snapshot.storage.k8s.io";

    private readonly KubeClient _client;
    private readonly ILogger _logger;

    public SnapshotApiGate(KubeClient client, ILogger logger)
    {
        _client = client;
        _logger = logger;
    }

    /// <summary>Returns once VolumeSnapshots are served; logs once if that means waiting for the CRDs.</summary>
    public async Task WaitUntilServedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _client.Resource(KubeResources.VolumeSnapshots).ListAsync(null, new ListOptions { Limit = 1 }, cancellationToken);
            return;
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            LogUnavailable(_logger, CrdName);
        }

        var established = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var crds = new Informer<CustomResourceDefinition>(_client, KubeResources.CustomResourceDefinitions, new InformerOptions { FieldSelector = "metadata.name=" + CrdName }, _logger);
        void Check(CustomResourceDefinition crd)
        {
            if (crd.Metadata.DeletionTimestamp is null && crd.Status?.Conditions?.Any(c => c.Type == "Established" && c.Status == "True") == true)
            {
                established.TrySetResult();
            }
        }

        crds.AddHandler(new InformerHandler<CustomResourceDefinition>(Check, (_, crd) => Check(crd), _ => { }));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watching = crds.RunAsync(stop.Token);
        try
        {
            await established.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            await stop.CancelAsync();
            await watching;
        }

        LogAvailable(_logger, CrdName);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "VolumeSnapshots are unavailable: the cluster does not serve snapshot.storage.k8s.io (CRD {Crd} missing); snapshots start once it is installed")]
    private static partial void LogUnavailable(ILogger logger, string crd);

    [LoggerMessage(Level = LogLevel.Warning, Message = "CRD {Crd} is established; starting the snapshot controller")]
    private static partial void LogAvailable(ILogger logger, string crd);
}
