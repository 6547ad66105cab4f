using System.Text.Json.Serialization;
using DataMover.Kube.Models;

namespace DataMover.Kube.Json;

/// <summary>
/// Source-generated serialization for the built-in models. Contexts for custom resources must use the
/// same options: camelCase, nulls omitted, <see cref="Rfc3339Converter"/>.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(Rfc3339Converter)])]
[JsonSerializable(typeof(Status))]
[JsonSerializable(typeof(DeleteOptions))]
[JsonSerializable(typeof(Namespace))]
[JsonSerializable(typeof(KubeList<Namespace>))]
[JsonSerializable(typeof(PersistentVolumeClaim))]
[JsonSerializable(typeof(KubeList<PersistentVolumeClaim>))]
[JsonSerializable(typeof(PersistentVolume))]
[JsonSerializable(typeof(KubeList<PersistentVolume>))]
[JsonSerializable(typeof(StorageClass))]
[JsonSerializable(typeof(KubeList<StorageClass>))]
[JsonSerializable(typeof(CsiDriver))]
[JsonSerializable(typeof(KubeList<CsiDriver>))]
[JsonSerializable(typeof(Secret))]
[JsonSerializable(typeof(KubeList<Secret>))]
[JsonSerializable(typeof(ConfigMap))]
[JsonSerializable(typeof(KubeList<ConfigMap>))]
[JsonSerializable(typeof(Pod))]
[JsonSerializable(typeof(KubeList<Pod>))]
[JsonSerializable(typeof(Job))]
[JsonSerializable(typeof(KubeList<Job>))]
[JsonSerializable(typeof(Event))]
[JsonSerializable(typeof(KubeList<Event>))]
[JsonSerializable(typeof(Lease))]
[JsonSerializable(typeof(TokenReview))]
[JsonSerializable(typeof(KubeList<TokenReview>))]
[JsonSerializable(typeof(SubjectAccessReview))]
[JsonSerializable(typeof(KubeList<SubjectAccessReview>))]
[JsonSerializable(typeof(KubeList<Lease>))]
[JsonSerializable(typeof(Node))]
[JsonSerializable(typeof(KubeList<Node>))]
[JsonSerializable(typeof(CustomResourceDefinition))]
[JsonSerializable(typeof(KubeList<CustomResourceDefinition>))]
[JsonSerializable(typeof(VolumeSnapshot))]
[JsonSerializable(typeof(KubeList<VolumeSnapshot>))]
[JsonSerializable(typeof(VolumeSnapshotClass))]
[JsonSerializable(typeof(KubeList<VolumeSnapshotClass>))]
public sealed partial class KubeJsonContext : JsonSerializerContext;
