using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Kube.Runtime;
using DataMover.Operator.Api;

namespace DataMover.Operator.Retention;

/// <summary>
/// What the schedule's prunes read and need, shared with the DataMover and restore controllers: their Job and pod
/// informers (prune Jobs carry the operator's created-by label), the restores and DataMovers for the restore gate,
/// the mover's ServiceAccounts, and the operator's mover image and pod defaults.
/// </summary>
internal sealed record SchedulePrunerContext(
    KubeClient Client,
    Informer<Job> Jobs,
    Informer<Pod> Pods,
    Informer<DataMoverRestore> Restores,
    Informer<Api.DataMover> DataMovers,
    Informer<Security.ServiceAccount> ServiceAccounts,
    string MoverImage,
    MoverPodSettings? MoverPodDefaults);
