using DataMover.Kube.Models;

namespace DataMover.Kube.Runtime;

/// <summary>
/// Callbacks of an informer, run on its watch loop: they must be quick (enqueue a key) and must not throw.
/// On delete the last known state is passed, also for deletes discovered by a relist.
/// </summary>
public sealed record InformerHandler<T>(Action<T>? OnAdd = null, Action<T, T>? OnUpdate = null, Action<T>? OnDelete = null)
    where T : KubeObject
{
    /// <summary>One callback for add, update (new object) and delete.</summary>
    public static InformerHandler<T> Any(Action<T> onAny) => new(onAny, (_, n) => onAny(n), onAny);
}
