using System.Text.Json.Nodes;
using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Kube.Runtime;
using KubeNode = DataMover.Kube.Models.Node;

namespace DataMover.Sandbox.ControlPlane;

/// <summary>
/// The default-scheduler's observable behaviour for a one-to-few node cluster: binds pending pods through the
/// pods/binding subresource to a schedulable node whose taints the pod tolerates and whose labels match the
/// nodeSelector (see <see cref="FilterFailure"/>), and, as the volume binding plugin
/// does, holds pods whose WaitForFirstConsumer claims are unbound after choosing the node for them.
/// </summary>
internal sealed partial class PodScheduler : IReconciler
{
    private const string PvcIndex = "pvc";
    private readonly Informer<Pod> _pods;
    private readonly Informer<KubeNode> _nodes;
    private readonly Informer<PersistentVolumeClaim> _claims;
    private readonly Informer<StorageClass> _classes;
    private readonly Informer<PersistentVolume> _volumes;
    private readonly ResourceClient<Pod> _podClient;
    private readonly ResourceClient<PersistentVolumeClaim> _claimClient;
    private readonly EventEmitter _events;
    private readonly ILogger _logger;
    private readonly Dictionary<string, string> _lastFailure = [];

    public PodScheduler(KubeClient client, InformerSet informers, ILoggerFactory loggers, int workers)
    {
        _logger = loggers.CreateLogger<PodScheduler>();
        _pods = informers.Get(KubeResources.Pods);
        _nodes = informers.Get(KubeResources.Nodes);
        _claims = informers.Get(KubeResources.PersistentVolumeClaims);
        _classes = informers.Get(KubeResources.StorageClasses);
        _volumes = informers.Get(KubeResources.PersistentVolumes);
        _podClient = client.Resource(KubeResources.Pods);
        _claimClient = client.Resource(KubeResources.PersistentVolumeClaims);
        _events = new EventEmitter(client, "default-scheduler", null, _logger);
        Loop = new ControllerLoop("scheduler", this, workers, _logger);

        _pods.AddIndex(PvcIndex, p => (p.Spec?.Volumes ?? []).Where(v => v.PersistentVolumeClaim is not null)
            .Select(v => ObjectKey.Of(p.Metadata.Namespace, v.PersistentVolumeClaim!.ClaimName)));
        _pods.AddHandler(InformerHandler<Pod>.Any(p =>
        {
            if (string.IsNullOrEmpty(p.Spec?.NodeName))
            {
                Loop.Enqueue(p.Key());
            }
        }));
        _nodes.AddHandler(InformerHandler<KubeNode>.Any(_ => EnqueueAllPending()));
        _claims.AddHandler(InformerHandler<PersistentVolumeClaim>.Any(c =>
        {
            foreach (var p in _pods.ByIndex(PvcIndex, c.Key()))
            {
                Loop.Enqueue(p.Key());
            }
        }));
    }

    public ControllerLoop Loop { get; }

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var pod = _pods.Get(key);
        if (pod is null || !string.IsNullOrEmpty(pod.Spec?.NodeName) || pod.Metadata.DeletionTimestamp is not null
            || (pod.Spec?.SchedulerName is { Length: > 0 } s && s != "default-scheduler"))
        {
            return ReconcileResult.Done;
        }

        var all = _nodes.List().OrderBy(n => n.Metadata.Name, StringComparer.Ordinal).ToList();
        var tolerations = Toleration.Of(pod);
        var volumes = (pod.Spec?.Volumes ?? [])
            .Select(v => v.PersistentVolumeClaim is { } c ? _claims.Get(pod.Metadata.Namespace, c.ClaimName)?.Spec?.VolumeName : null)
            .Select(name => string.IsNullOrEmpty(name) ? null : _volumes.Get(name))
            .OfType<PersistentVolume>()
            .ToList();
        var rejected = new Dictionary<string, int>(StringComparer.Ordinal);
        var nodes = new List<KubeNode>();
        foreach (var candidate in all)
        {
            if (FilterFailure(pod, candidate, tolerations, volumes) is { } reason)
            {
                rejected[reason] = rejected.GetValueOrDefault(reason) + 1;
            }
            else
            {
                nodes.Add(candidate);
            }
        }

        if (nodes.Count == 0)
        {
            await UnschedulableAsync(pod, all.Count == 0 ? "no nodes available to schedule pods" : NoFit(all.Count, rejected.Select(r => $"{r.Value} {r.Key}")), cancellationToken);
            return ReconcileResult.Done;
        }

        var node = nodes[0];
        foreach (var volume in pod.Spec?.Volumes ?? [])
        {
            if (volume.PersistentVolumeClaim is not { } source)
            {
                continue;
            }

            var claim = _claims.Get(pod.Metadata.Namespace, source.ClaimName);
            if (claim is null)
            {
                await UnschedulableAsync(pod, NoFit(all.Count, [$"persistentvolumeclaim \"{source.ClaimName}\" not found"]), cancellationToken);
                return ReconcileResult.Done;
            }

            if (claim.Metadata.DeletionTimestamp is not null)
            {
                await UnschedulableAsync(pod, NoFit(all.Count, [$"persistentvolumeclaim \"{source.ClaimName}\" is being deleted"]), cancellationToken);
                return ReconcileResult.Done;
            }

            if (claim.Status?.Phase == "Bound")
            {
                continue;
            }

            var cls = claim.Spec?.StorageClassName is { } cn ? _classes.Get(cn) : null;
            if (cls?.VolumeBindingMode != WellKnown.WaitForFirstConsumer)
            {
                await UnschedulableAsync(pod, NoFit(all.Count, [$"pod has unbound immediate PersistentVolumeClaims"]), cancellationToken);
                return ReconcileResult.Done;
            }

            if (claim.Metadata.Annotation(WellKnown.SelectedNode) is null)
            {
                // The volume binding plugin's PreBind: pick the node, let the provisioner create the volume there,
                // and keep the pod unbound until the claim is (a claim event requeues it).
                var patch = new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [WellKnown.SelectedNode] = node.Metadata.Name } } };
                await _claimClient.PatchAsync(claim.Metadata.Namespace, claim.Metadata.Name!, KubePatch.Merge(patch), cancellationToken: cancellationToken);
            }

            return ReconcileResult.Done;
        }

        var binding = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Binding",
            ["metadata"] = new JsonObject { ["name"] = pod.Metadata.Name, ["namespace"] = pod.Metadata.Namespace, ["uid"] = pod.Metadata.Uid },
            ["target"] = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Node", ["name"] = node.Metadata.Name },
        };
        try
        {
            await _podClient.SendSubresourceAsync(HttpMethod.Post, pod.Metadata.Namespace, pod.Metadata.Name!, "binding", binding.ToJsonString(), cancellationToken);
        }
        catch (KubeApiException e) when (e.IsNotFound || e.IsConflict)
        {
            // Deleted, or already bound by an earlier attempt whose answer we lost.
            return ReconcileResult.Done;
        }

        lock (_lastFailure)
        {
            _lastFailure.Remove(key);
        }

        LogBound(_logger, key, node.Metadata.Name!);
        _events.Normal(pod, "Scheduled", $"Successfully assigned {pod.Metadata.Namespace}/{pod.Metadata.Name} to {node.Metadata.Name}");
        return ReconcileResult.Done;
    }

    private async Task UnschedulableAsync(Pod pod, string message, CancellationToken cancellationToken)
    {
        lock (_lastFailure)
        {
            if (_lastFailure.TryGetValue(pod.Key(), out var last) && last == message)
            {
                return;
            }

            _lastFailure[pod.Key()] = message;
        }

        _events.Warning(pod, "FailedScheduling", message);
        var condition = new PodCondition { Type = "PodScheduled", Status = "False", Reason = "Unschedulable", Message = message, LastTransitionTime = DateTimeOffset.UtcNow };
        try
        {
            await ConflictRetry.UpdateAsync(_podClient, pod, p => string.IsNullOrEmpty(p.Spec?.NodeName) ? p with
            {
                Status = (p.Status ?? new PodStatus()) with
                {
                    Phase = "Pending",
                    Conditions = [.. (p.Status?.Conditions ?? []).Where(c => c.Type != "PodScheduled"), condition],
                },
            } : null, WriteTarget.Status, _logger, cancellationToken);
        }
        catch (KubeApiException e) when (e.IsConflict || e.IsNotFound)
        {
            lock (_lastFailure)
            {
                _lastFailure.Remove(pod.Key());
            }
        }
    }

    private void EnqueueAllPending()
    {
        foreach (var p in _pods.List().Where(p => string.IsNullOrEmpty(p.Spec?.NodeName)))
        {
            Loop.Enqueue(p.Key());
        }
    }

    /// <summary>
    /// The first failing filter plugin's reason for a node, in the default profile's order: NodeUnschedulable,
    /// TaintToleration (NoSchedule and NoExecute taints), NodeAffinity (nodeSelector and required node affinity), VolumeBinding (bound volumes'
    /// node affinity). Node conditions are not looked at: since TaintNodesByCondition the scheduler sees them only as
    /// taints.
    /// </summary>
    internal static string? FilterFailure(Pod pod, KubeNode node, IReadOnlyList<Toleration> tolerations, IReadOnlyList<PersistentVolume> boundVolumes)
    {
        var unschedulable = new Taint { Key = Taint.Unschedulable, Effect = Taint.NoSchedule };
        if (node.Spec?.Unschedulable == true && !tolerations.Any(t => t.Tolerates(unschedulable)))
        {
            return "node(s) were unschedulable";
        }

        if (Taint.Of(node).FirstOrDefault(t => t.Effect is Taint.NoSchedule or Taint.NoExecute && !tolerations.Any(x => x.Tolerates(t))) is { } untolerated)
        {
            return $"node(s) had untolerated taint {{{untolerated.Key}: {untolerated.Value}}}";
        }

        if (!MatchesSelector(pod, node))
        {
            return "node(s) didn't match Pod's node affinity/selector";
        }

        return boundVolumes.All(v => VolumeNodeAffinity.Allows(v, node)) ? null : "node(s) had volume node affinity conflict";
    }

    /// <summary>The scheduler's FitError text: reasons with their node counts, sorted, then the preemption verdict.</summary>
    private static string NoFit(int nodes, IEnumerable<string> reasons) =>
        $"0/{nodes} nodes are available: {string.Join(", ", reasons.Order(StringComparer.Ordinal))}. preemption: 0/{nodes} nodes are available: {nodes} Preemption is not helpful for scheduling.";

    private static bool MatchesSelector(Pod pod, KubeNode node) =>
        (pod.Spec?.NodeSelector is not { Count: > 0 } selector || selector.All(kv => node.Metadata.Label(kv.Key) == kv.Value))
        && RequiredNodeAffinity.Allows(pod, node);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Bound pod {Key} to {Node}")]
    private static partial void LogBound(ILogger logger, string key, string node);
}
