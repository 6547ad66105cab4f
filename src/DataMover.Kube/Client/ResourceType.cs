using System.Text;
using System.Text.Json.Serialization.Metadata;
using DataMover.Kube.Models;

namespace DataMover.Kube.Client;

/// <summary>
/// Everything the client needs to address one kind of resource: group, version, plural, kind, scope,
/// and the source-generated serializers for the object and its list.
/// </summary>
public sealed class ResourceType<T> where T : KubeObject
{
    public ResourceType(string group, string version, string plural, string kind, bool namespaced, JsonTypeInfo<T> typeInfo, JsonTypeInfo<KubeList<T>> listTypeInfo)
    {
        Group = group;
        Version = version;
        Plural = plural;
        Kind = kind;
        Namespaced = namespaced;
        TypeInfo = typeInfo;
        ListTypeInfo = listTypeInfo;
        KnownKinds.Register(typeof(T), ApiVersion, kind);
    }

    /// <summary>API group; empty for the core group.</summary>
    public string Group { get; }

    public string Version { get; }

    public string Plural { get; }

    public string Kind { get; }

    public bool Namespaced { get; }

    public JsonTypeInfo<T> TypeInfo { get; }

    public JsonTypeInfo<KubeList<T>> ListTypeInfo { get; }

    /// <summary>"v1" for the core group, otherwise "group/version".</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The REST path of a collection, an object or one of its subresources.</summary>
    public string Path(string? ns, string? name = null, string? subresource = null)
    {
        if (Namespaced && name is not null && string.IsNullOrEmpty(ns))
        {
            // Without this the request would go to the cluster-wide path and fail with a confusing 404.
            throw new ArgumentException($"{this} is namespaced: a namespace is required to address '{name}'", nameof(ns));
        }

        var sb = new StringBuilder(Group.Length == 0 ? "/api/" : $"/apis/{Group}/");
        sb.Append(Version);
        if (Namespaced && !string.IsNullOrEmpty(ns))
        {
            sb.Append("/namespaces/").Append(Uri.EscapeDataString(ns));
        }

        sb.Append('/').Append(Plural);
        if (name is not null)
        {
            sb.Append('/').Append(Uri.EscapeDataString(name));
            if (subresource is not null)
            {
                sb.Append('/').Append(subresource);
            }
        }

        return sb.ToString();
    }

    public override string ToString() => Group.Length == 0 ? Plural : $"{Plural}.{Group}";
}
