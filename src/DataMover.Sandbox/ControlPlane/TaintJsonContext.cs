using System.Text.Json.Serialization;
using DataMover.Kube.Json;

namespace DataMover.Sandbox.ControlPlane;

/// <summary>Serialization of taints with the Kube client's conventions (camelCase, RFC 3339 times).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(Rfc3339Converter)])]
[JsonSerializable(typeof(List<Taint>))]
internal sealed partial class TaintJsonContext : JsonSerializerContext;
