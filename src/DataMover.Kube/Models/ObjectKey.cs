namespace DataMover.Kube.Models;

/// <summary>Builds and splits the <c>namespace/name</c> keys that client-go's MetaNamespaceKeyFunc produces.</summary>
public static class ObjectKey
{
    /// <summary>Key of an object; cluster-scoped objects have no namespace part.</summary>
    public static string Of(string? ns, string? name) =>
        string.IsNullOrEmpty(ns) ? name ?? "" : $"{ns}/{name}";

    /// <summary>Splits a key into namespace (null when cluster-scoped) and name.</summary>
    public static (string? Namespace, string Name) Split(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (null, key) : (key[..slash], key[(slash + 1)..]);
    }
}
