using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Kube.Runtime;

namespace DataMover.Sandbox.ControlPlane;

/// <summary>
/// kube-controller-manager's garbage collector over every type of the <see cref="ResourceCatalog"/>: keeps an
/// owner→dependents graph from watches, deletes dependents whose owners are all gone (verified with a live read),
/// drops dangling owner references, and serves the foregroundDeletion and orphan finalizers.
/// </summary>
internal sealed partial class GarbageCollector : IReconciler
{
    private readonly KubeClient _client;
    private readonly ResourceCatalog _catalog;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, GraphNode> _nodes = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _dependents = new();
    private readonly ConcurrentDictionary<string, Informer<GenericObject>> _informers = new();
    private readonly ConcurrentDictionary<string, byte> _watchedGroupResources = new();
    private CancellationToken _stopping;
    private int _running;

    public GarbageCollector(KubeClient client, ResourceCatalog catalog, ILoggerFactory loggers, int workers)
    {
        _client = client;
        _catalog = catalog;
        _loggers = loggers;
        _logger = loggers.CreateLogger<GarbageCollector>();
        Loop = new ControllerLoop("garbage-collector", this, workers, _logger);
        catalog.TypeAdded += Watch;
    }

    public ControllerLoop Loop { get; }

    /// <summary>Called with the namespace of every object that disappears (the namespace controller listens).</summary>
    public event Action<string?>? ObjectRemoved;

    public Task RunAsync(CancellationToken cancellationToken)
    {
        _stopping = cancellationToken;
        Interlocked.Exchange(ref _running, 1);
        foreach (var type in _catalog.All)
        {
            Watch(type);
        }

        return Loop.RunAsync(cancellationToken);
    }

    private void Watch(ResourceType<GenericObject> type)
    {
        if (Volatile.Read(ref _running) == 0 || !_watchedGroupResources.TryAdd(type.Group + "/" + type.Plural, 0))
        {
            return;
        }

        var informer = new Informer<GenericObject>(_client, type, logger: _loggers.CreateLogger("Informer." + type));
        informer.AddHandler(new InformerHandler<GenericObject>(
            o => Upsert(type, o),
            (_, o) => Upsert(type, o),
            o => Remove(o)));
        _informers[type.ToString()] = informer;
        _ = Task.Run(() => informer.RunAsync(_stopping), CancellationToken.None);
    }

    private void Upsert(ResourceType<GenericObject> type, GenericObject obj)
    {
        var uid = obj.Metadata.Uid;
        if (uid is null)
        {
            return;
        }

        var node = new GraphNode(type, obj);
        if (_nodes.TryGetValue(uid, out var old))
        {
            foreach (var o in old.Object.Metadata.OwnerReferences ?? [])
            {
                if (_dependents.TryGetValue(o.Uid, out var set))
                {
                    set.TryRemove(uid, out _);
                }
            }
        }

        _nodes[uid] = node;
        foreach (var o in obj.Metadata.OwnerReferences ?? [])
        {
            _dependents.GetOrAdd(o.Uid, _ => new ConcurrentDictionary<string, byte>())[uid] = 0;
            Loop.Enqueue(o.Uid);
        }

        if ((obj.Metadata.OwnerReferences?.Count ?? 0) > 0 || obj.Metadata.DeletionTimestamp is not null)
        {
            Loop.Enqueue(uid);
        }
    }

    private void Remove(GenericObject obj)
    {
        if (obj.Metadata.Uid is not { } uid || !_nodes.TryRemove(uid, out var node))
        {
            return;
        }

        foreach (var o in node.Object.Metadata.OwnerReferences ?? [])
        {
            if (_dependents.TryGetValue(o.Uid, out var set))
            {
                set.TryRemove(uid, out _);
            }

            // An owner in foreground deletion may be waiting for exactly this dependent.
            Loop.Enqueue(o.Uid);
        }

        if (_dependents.TryGetValue(uid, out var deps))
        {
            foreach (var d in deps.Keys)
            {
                Loop.Enqueue(d);
            }
        }

        ObjectRemoved?.Invoke(obj.Metadata.Namespace);
    }

    public async Task<ReconcileResult> ReconcileAsync(string uid, CancellationToken cancellationToken)
    {
        if (!_nodes.TryGetValue(uid, out var node))
        {
            return ReconcileResult.Done;
        }

        var meta = node.Object.Metadata;
        var finalizers = meta.Finalizers ?? [];
        if (meta.DeletionTimestamp is not null && finalizers.Contains(WellKnown.OrphanFinalizer))
        {
            await OrphanDependentsAsync(node, cancellationToken);
            return ReconcileResult.Done;
        }

        if (meta.DeletionTimestamp is not null && finalizers.Contains(WellKnown.ForegroundDeletion))
        {
            await DeleteDependentsInForegroundAsync(node, cancellationToken);
            return ReconcileResult.Done;
        }

        if (meta.OwnerReferences is not { Count: > 0 } owners || meta.DeletionTimestamp is not null)
        {
            return ReconcileResult.Done;
        }

        var dangling = new List<OwnerReference>();
        var waitingForeground = false;
        foreach (var owner in owners)
        {
            var state = await OwnerStateAsync(node, owner, cancellationToken);
            if (state == OwnerState.Absent)
            {
                dangling.Add(owner);
            }
            else if (state == OwnerState.DeletingForeground)
            {
                waitingForeground = true;
            }
        }

        if (dangling.Count == owners.Count)
        {
            LogDeleting(_logger, node.Type.ToString(), node.Key, "all owners are gone");
            await DeleteAsync(node, "Background", cancellationToken);
        }
        else if (dangling.Count > 0 && !waitingForeground)
        {
            await PatchOwnersAsync(node, owners.Where(o => !dangling.Contains(o)).ToList(), cancellationToken);
        }

        return ReconcileResult.Done;
    }

    private async Task DeleteDependentsInForegroundAsync(GraphNode owner, CancellationToken cancellationToken)
    {
        var blocking = 0;
        foreach (var dep in Dependents(owner))
        {
            var reference = dep.Object.Metadata.OwnerReferences!.First(o => o.Uid == owner.Uid);
            if (reference.BlockOwnerDeletion == true)
            {
                blocking++;
            }

            if (dep.Object.Metadata.DeletionTimestamp is null)
            {
                // Dependents of a foreground deletion go the same way, so the whole tree is removed bottom-up.
                LogDeleting(_logger, dep.Type.ToString(), dep.Key, $"owner {owner.Key} is being deleted in foreground");
                await DeleteAsync(dep, "Foreground", cancellationToken);
            }
        }

        if (blocking == 0)
        {
            await RemoveFinalizerAsync(owner, WellKnown.ForegroundDeletion, cancellationToken);
        }
    }

    private async Task OrphanDependentsAsync(GraphNode owner, CancellationToken cancellationToken)
    {
        foreach (var dep in Dependents(owner))
        {
            var remaining = dep.Object.Metadata.OwnerReferences!.Where(o => o.Uid != owner.Uid).ToList();
            await PatchOwnersAsync(dep, remaining, cancellationToken);
        }

        await RemoveFinalizerAsync(owner, WellKnown.OrphanFinalizer, cancellationToken);
    }

    private List<GraphNode> Dependents(GraphNode owner) =>
        _dependents.TryGetValue(owner.Uid, out var set)
            ? set.Keys.Select(k => _nodes.TryGetValue(k, out var n) ? n : null).OfType<GraphNode>()
                .Where(n => n.Object.Metadata.OwnerReferences?.Any(o => o.Uid == owner.Uid) == true).ToList()
            : [];

    private async Task<OwnerState> OwnerStateAsync(GraphNode dependent, OwnerReference owner, CancellationToken cancellationToken)
    {
        if (_nodes.TryGetValue(owner.Uid, out var known))
        {
            return known.Object.Metadata.DeletionTimestamp is not null && known.Object.Metadata.Finalizers?.Contains(WellKnown.ForegroundDeletion) == true
                ? OwnerState.DeletingForeground
                : OwnerState.Present;
        }

        var type = _catalog.Find(owner.ApiVersion, owner.Kind);
        if (type is null)
        {
            // A kind we cannot look up: never delete on a guess.
            return OwnerState.Present;
        }

        // The owner's informer may simply not have caught up: ask the server, by name, and compare uids.
        var live = await _client.Resource(type).TryGetAsync(type.Namespaced ? dependent.Object.Metadata.Namespace : null, owner.Name, cancellationToken);
        return live is not null && live.Metadata.Uid == owner.Uid ? OwnerState.Present : OwnerState.Absent;
    }

    private async Task DeleteAsync(GraphNode node, string propagation, CancellationToken cancellationToken)
    {
        try
        {
            await _client.Resource(node.Type).DeleteAsync(node.Object.Metadata.Namespace, node.Object.Metadata.Name!, new DeleteOptions
            {
                PropagationPolicy = propagation,
                Preconditions = new Preconditions { Uid = node.Uid },
            }, cancellationToken);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            // Already gone.
        }
        catch (KubeApiException e) when (e.IsConflict)
        {
            // A different object now has the name, or (a transient 409) still ours: then the loop retries, as the real collector does.
            var live = await _client.Resource(node.Type).TryGetAsync(node.Object.Metadata.Namespace, node.Object.Metadata.Name!, cancellationToken);
            if (live?.Metadata.Uid == node.Uid)
            {
                throw;
            }
        }
    }

    private async Task PatchOwnersAsync(GraphNode node, List<OwnerReference> remaining, CancellationToken cancellationToken)
    {
        var refs = new JsonArray();
        foreach (var o in remaining)
        {
            refs.Add(System.Text.Json.JsonSerializer.SerializeToNode(o, Kube.Json.KubeJsonContext.Default.OwnerReference));
        }

        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["resourceVersion"] = node.Object.Metadata.ResourceVersion,
                ["ownerReferences"] = remaining.Count == 0 ? null : refs,
            },
        };
        try
        {
            await _client.Resource(node.Type).PatchAsync(node.Object.Metadata.Namespace, node.Object.Metadata.Name!, KubePatch.Merge(patch), cancellationToken: cancellationToken);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            // Gone.
        }
    }

    private async Task RemoveFinalizerAsync(GraphNode node, string finalizer, CancellationToken cancellationToken)
    {
        var remaining = new JsonArray();
        foreach (var f in (node.Object.Metadata.Finalizers ?? []).Where(f => f != finalizer))
        {
            remaining.Add(f);
        }

        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject { ["resourceVersion"] = node.Object.Metadata.ResourceVersion, ["finalizers"] = remaining },
        };
        try
        {
            await _client.Resource(node.Type).PatchAsync(node.Object.Metadata.Namespace, node.Object.Metadata.Name!, KubePatch.Merge(patch), cancellationToken: cancellationToken);
            LogFinalized(_logger, finalizer, node.Key);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            // Gone.
        }
    }

    private enum OwnerState
    {
        Present,
        Absent,
        DeletingForeground,
    }

    private sealed record GraphNode(ResourceType<GenericObject> Type, GenericObject Object)
    {
        public string Uid => Object.Metadata.Uid!;

        public string Key => Object.Key();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleting {Type} {Key}: {Why}")]
    private static partial void LogDeleting(ILogger logger, string type, string key, string why);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Removed finalizer {Finalizer} from {Key}")]
    private static partial void LogFinalized(ILogger logger, string finalizer, string key);
}
