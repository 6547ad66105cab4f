using DataMover.Kube.Client;
using DataMover.Kube.Runtime;
using KubeNode = DataMover.Kube.Models.Node;

namespace DataMover.Sandbox.ControlPlane;

/// <summary>
/// kube-controller-manager's node lifecycle controller, the TaintNodesByCondition half (doNoScheduleTaintingPass):
/// keeps each Node's NoSchedule taints in line with its conditions and spec.unschedulable. A node whose Ready
/// condition is False gets <c>node.kubernetes.io/not-ready</c>, Unknown gets <c>node.kubernetes.io/unreachable</c>;
/// a node without a Ready condition (just registered, no status yet) carries not-ready, as the TaintNodesByCondition
/// admission plugin puts it on every new Node; Ready=True removes them. The scheduler only sees these taints, so
/// pods wait until the kubelet reports Ready.
/// </summary>
internal sealed partial class NodeLifecycleController : IReconciler
{
    /// <summary>nodeConditionToTaintKeyStatusMap of the real controller.</summary>
    private static readonly (string Condition, string Status, string Taint)[] ConditionTaints =
    [
        ("Ready", "False", Taint.NotReady),
        ("Ready", "Unknown", Taint.Unreachable),
        ("MemoryPressure", "True", "node.kubernetes.io/memory-pressure"),
        ("DiskPressure", "True", "node.kubernetes.io/disk-pressure"),
        ("NetworkUnavailable", "True", "node.kubernetes.io/network-unavailable"),
        ("PIDPressure", "True", "node.kubernetes.io/pid-pressure"),
    ];

    private static readonly HashSet<string> Managed = [.. ConditionTaints.Select(c => c.Taint), Taint.Unschedulable];

    private readonly Informer<KubeNode> _nodes;
    private readonly ResourceClient<KubeNode> _nodeClient;
    private readonly ILogger _logger;

    public NodeLifecycleController(KubeClient client, InformerSet informers, ILoggerFactory loggers)
    {
        _logger = loggers.CreateLogger<NodeLifecycleController>();
        _nodes = informers.Get(KubeResources.Nodes);
        _nodeClient = client.Resource(KubeResources.Nodes);
        Loop = new ControllerLoop("node-lifecycle", this, 1, _logger);
        _nodes.AddHandler(new InformerHandler<KubeNode>(n => Loop.Enqueue(n.Key()), (_, n) => Loop.Enqueue(n.Key()), _ => { }));
    }

    public ControllerLoop Loop { get; }

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var node = _nodes.Get(key);
        if (node is null || node.Metadata.DeletionTimestamp is not null || Reconciled(node) is null)
        {
            return ReconcileResult.Done;
        }

        try
        {
            // Decided again on every re-read: the kubelet may have reported Ready meanwhile.
            if (await ConflictRetry.UpdateAsync(_nodeClient, node, Reconciled, WriteTarget.Object, _logger, cancellationToken) is { } written)
            {
                LogTainted(_logger, key, string.Join(",", Taint.Of(written).Select(t => t.Key + ":" + t.Effect)));
            }
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            // Deleted meanwhile.
        }

        return ReconcileResult.Done;
    }

    /// <summary>The node with the NoSchedule taints its state calls for, or null when it already has exactly those.</summary>
    internal static KubeNode? Reconciled(KubeNode node)
    {
        var wanted = Wanted(node);
        var current = Taint.Of(node);
        var kept = current.Where(t => t.Effect != Taint.NoSchedule || !Managed.Contains(t.Key) || wanted.Any(w => w.SameAs(t))).ToList();
        var added = wanted.Where(w => !current.Any(t => t.SameAs(w))).ToList();
        return kept.Count == current.Count && added.Count == 0 ? null : Taint.WithTaints(node, [.. kept, .. added]);
    }

    private static List<Taint> Wanted(KubeNode node)
    {
        var conditions = node.Status?.Conditions ?? [];
        var wanted = ConditionTaints
            .Where(m => conditions.Any(c => c.Type == m.Condition && c.Status == m.Status))
            .Select(m => new Taint { Key = m.Taint, Effect = Taint.NoSchedule })
            .ToList();
        if (!conditions.Any(c => c.Type == "Ready"))
        {
            wanted.Add(new Taint { Key = Taint.NotReady, Effect = Taint.NoSchedule });
        }

        if (node.Spec?.Unschedulable == true)
        {
            wanted.Add(new Taint { Key = Taint.Unschedulable, Effect = Taint.NoSchedule });
        }

        return wanted;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Node {Node} now has taints [{Taints}]")]
    private static partial void LogTainted(ILogger logger, string node, string taints);
}
