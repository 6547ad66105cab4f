using DataMover.Kube.Models;

namespace DataMover.Kube.Runtime;

/// <summary>Index functions for <see cref="Informer{T}.AddIndex"/>.</summary>
public static class IndexFuncs
{
    /// <summary>Name of the index by controller owner UID.</summary>
    public const string ControllerUid = "controller-uid";

    /// <summary>Indexes objects by the UID of their controller ownerReference.</summary>
    public static IEnumerable<string> ByControllerUid(KubeObject obj) =>
        obj.Metadata.ControllerReference() is { } owner ? [owner.Uid] : [];

    /// <summary>Indexes objects by the value of one label, qualified by namespace ("ns/value").</summary>
    public static Func<KubeObject, IEnumerable<string>> ByLabel(string key) =>
        obj => obj.Metadata.Label(key) is { } v ? [ObjectKey.Of(obj.Metadata.Namespace, v)] : [];
}
