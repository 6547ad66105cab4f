using System.Collections.Concurrent;
using DataMover.Kube.Models;

namespace DataMover.Kube.Client;

/// <summary>
/// The apiVersion and kind of each model type, registered by every <see cref="ResourceType{T}"/> as it is built.
/// Objects read from a list carry no apiVersion/kind of their own (the API server omits them on list items),
/// yet references to them (event involvedObject, ownerReferences) need both.
/// </summary>
internal static class KnownKinds
{
    private static readonly ConcurrentDictionary<Type, (string ApiVersion, string Kind)> ByType = new();

    public static void Register(Type type, string apiVersion, string kind) => ByType.TryAdd(type, (apiVersion, kind));

    /// <summary>The object's own apiVersion/kind, else those registered for its type.</summary>
    public static (string? ApiVersion, string? Kind) Of(KubeObject obj)
    {
        if (obj.ApiVersion is not null && obj.Kind is not null)
        {
            return (obj.ApiVersion, obj.Kind);
        }

        return ByType.TryGetValue(obj.GetType(), out var known)
            ? (obj.ApiVersion ?? known.ApiVersion, obj.Kind ?? known.Kind)
            : (obj.ApiVersion, obj.Kind);
    }
}
