using System.Text.Json;
using DataMover.Kube.Client;
using DataMover.Operator.Api;
using Dm = DataMover.Operator.Api.DataMover;

namespace DataMover.Operator.Controllers;

/// <summary>
/// Writes DataMover status through the status subresource with the resourceVersion it was computed from, and only
/// when the serialized status differs: a conflict means someone (another replica, an older self) wrote first.
/// </summary>
internal sealed class StatusWriter(KubeClient client)
{
    private readonly ResourceClient<Dm> _dataMovers = client.Resource(DataMoverResources.DataMovers);

    public static bool Differs(DataMoverStatus? a, DataMoverStatus? b) => Serialize(a) != Serialize(b);

    /// <summary>The DataMover as written (the same instance when nothing changed), or null on a conflict.</summary>
    public async Task<Dm?> WriteAsync(Dm dm, DataMoverStatus next, CancellationToken cancellationToken)
    {
        if (!Differs(dm.Status, next))
        {
            return dm;
        }

        try
        {
            return await _dataMovers.ReplaceStatusAsync(dm with { Status = next }, cancellationToken);
        }
        catch (KubeApiException e) when (e.IsConflict)
        {
            return null;
        }
    }

    private static string Serialize(DataMoverStatus? status) =>
        status is null ? "" : JsonSerializer.Serialize(status, OperatorJsonContext.Default.DataMoverStatus);
}
