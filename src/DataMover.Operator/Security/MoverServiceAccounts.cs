using System.Text.Json.Nodes;
using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Kube.Runtime;
using DataMover.Operator.Controllers;

namespace DataMover.Operator.Security;

/// <summary>
/// The ServiceAccount every mover pod runs under: one per namespace, without token and without bindings, so a mover
/// (whatever its image) holds no API credential. Read from an informer of the operator's own ServiceAccounts; created
/// when missing, and adopted (labelled, token automount off) when someone created one of that name.
/// </summary>
internal sealed class MoverServiceAccounts(KubeClient client, Informer<ServiceAccount> cache)
{
    public const string Name = "datamover-mover";

    public static ResourceType<ServiceAccount> Resource { get; } =
        new("", "v1", "serviceaccounts", "ServiceAccount", true, SecurityJsonContext.Default.ServiceAccount, SecurityJsonContext.Default.KubeListServiceAccount);

    private readonly ResourceClient<ServiceAccount> _accounts = client.Resource(Resource);

    /// <summary>The informer the operator runs for this: only ServiceAccounts it labelled.</summary>
    public static Informer<ServiceAccount> CreateInformer(KubeClient client, string? ns, ILogger logger, TimeProvider time) =>
        new(client, Resource, new InformerOptions { Namespace = ns, LabelSelector = DataMoverLabels.CreatedBySelector }, logger, time);

    /// <summary>Makes sure the mover's ServiceAccount exists in <paramref name="ns"/>; true when this call created or adopted it.</summary>
    public async Task<bool> EnsureAsync(string ns, CancellationToken cancellationToken)
    {
        if (cache.Get(ns, Name) is { AutomountServiceAccountToken: false })
        {
            return false;
        }

        if (cache.Get(ns, Name) is null)
        {
            try
            {
                await _accounts.CreateAsync(Build(ns), cancellationToken);
                return true;
            }
            catch (KubeApiException e) when (e.IsAlreadyExists)
            {
                // Ours before a restart (the informer had not caught up), or one a user made: adopted below.
            }
        }

        await _accounts.PatchAsync(ns, Name, KubePatch.Merge(new JsonObject
        {
            ["metadata"] = new JsonObject { ["labels"] = new JsonObject { [DataMoverLabels.CreatedBy] = DataMoverLabels.OperatorName, [DataMoverLabels.ManagedBy] = DataMoverLabels.OperatorName } },
            ["automountServiceAccountToken"] = false,
        }), cancellationToken: cancellationToken);
        return true;
    }

    private static ServiceAccount Build(string ns) => new()
    {
        ApiVersion = "v1",
        Kind = "ServiceAccount",
        Metadata = new ObjectMeta
        {
            Name = Name,
            Namespace = ns,
            Labels = new Dictionary<string, string>
            {
                [DataMoverLabels.CreatedBy] = DataMoverLabels.OperatorName,
                [DataMoverLabels.ManagedBy] = DataMoverLabels.OperatorName,
            },
        },
        AutomountServiceAccountToken = false,
    };
}
