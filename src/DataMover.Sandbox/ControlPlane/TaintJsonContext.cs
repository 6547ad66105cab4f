using System.Text.Json.Serialization;
using DataMover.Kube.Json;

namespace DataMover.Sandbox.ControlPlane;

/// <summary>Serialization of taints and tolerations with the Kube client's conventions (camelCase, RFC 3339 times).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(Rfc3339Converter)])]
[JsonSerializable(typeof(List<Taint>))]
[JsonSerializable(typeof(List<Toleration>))]
internal sealed partial class TaintJsonContext : JsonSerializerContext;
