using System.Text.Json;
using DataMover.Kube.Client;
using DataMover.Kube.Json;
using DataMover.Kube.Models;
using DataMover.Kube.Runtime;

namespace DataMover.Sandbox.ControlPlane;

/// <summary>
/// The namespace controller: empties a Terminating namespace of every namespaced type of the catalog (and its
/// events), then removes the <c>kubernetes</c> finalizer through namespaces/finalize so the server can drop it.
/// </summary>
internal sealed partial class NamespaceController : IReconciler
{
    private readonly KubeClient _client;
    private readonly Informer<Namespace> _namespaces;
    private readonly ResourceCatalog _catalog;
    private readonly ResourceClient<Namespace> _namespaceClient;
    private readonly ILogger _logger;

    public NamespaceController(KubeClient client, InformerSet informers, ResourceCatalog catalog, GarbageCollector gc, ILoggerFactory loggers)
    {
        _client = client;
        _catalog = catalog;
        _logger = loggers.CreateLogger<NamespaceController>();
        _namespaces = informers.Get(KubeResources.Namespaces);
        _namespaceClient = client.Resource(KubeResources.Namespaces);
        Loop = new ControllerLoop("namespace-controller", this, 1, _logger);
        _namespaces.AddHandler(InformerHandler<Namespace>.Any(n =>
        {
            if (n.Metadata.DeletionTimestamp is not null)
            {
                Loop.Enqueue(n.Metadata.Name!);
            }
        }));
        gc.ObjectRemoved += ns =>
        {
            if (ns is not null && _namespaces.Get(ns)?.Metadata.DeletionTimestamp is not null)
            {
                Loop.Enqueue(ns);
            }
        };
    }

    public ControllerLoop Loop { get; }

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var ns = _namespaces.Get(key);
        if (ns?.Metadata.DeletionTimestamp is null || ns.Spec?.Finalizers?.Contains("kubernetes") != true)
        {
            return ReconcileResult.Done;
        }

        var remaining = 0;
        foreach (var type in _catalog.All.Where(t => t.Namespaced).Append(ResourceCatalog.Events))
        {
            var resource = _client.Resource(type);
            KubeList<GenericObject> list;
            try
            {
                list = await resource.ListAsync(key, cancellationToken: cancellationToken);
            }
            catch (KubeApiException e) when (e.IsNotFound)
            {
                continue;
            }

            foreach (var item in list.Items)
            {
                remaining++;
                if (item.Metadata.DeletionTimestamp is null)
                {
                    try
                    {
                        await resource.DeleteAsync(key, item.Metadata.Name!, DeleteOptions.Background, cancellationToken);
                    }
                    catch (KubeApiException e) when (e.IsNotFound || e.IsConflict)
                    {
                        // Raced with another deleter.
                    }
                }
            }
        }

        if (remaining > 0)
        {
            // Pods terminate gracefully and finalizers run elsewhere; look again shortly, as the real controller does.
            return ReconcileResult.After(TimeSpan.FromSeconds(2));
        }

        var finalized = ns with { Spec = (ns.Spec ?? new NamespaceSpec()) with { Finalizers = ns.Spec!.Finalizers!.Where(f => f != "kubernetes").ToList() } };
        await _namespaceClient.SendSubresourceAsync(HttpMethod.Put, null, key, "finalize", JsonSerializer.Serialize(finalized with { ApiVersion = "v1", Kind = "Namespace" }, KubeJsonContext.Default.Namespace), cancellationToken);
        LogFinalized(_logger, key);
        return ReconcileResult.Done;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Namespace {Name} is empty; removed its kubernetes finalizer")]
    private static partial void LogFinalized(ILogger logger, string name);
}
