using System.Text.Json.Serialization;
using DataMover.Kube.Json;
using DataMover.Kube.Models;

namespace DataMover.Sandbox.ControlPlane;

/// <summary>Serialization of <see cref="GenericObject"/> with the options of the Kube client's own context.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(Rfc3339Converter)])]
[JsonSerializable(typeof(GenericObject))]
[JsonSerializable(typeof(KubeList<GenericObject>))]
internal sealed partial class GenericJsonContext : JsonSerializerContext;
