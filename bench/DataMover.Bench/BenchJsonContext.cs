using System.Text.Json.Serialization;
using DataMover.Kube.Json;
using DataMover.Kube.Models;

namespace DataMover.Bench;

/// <summary>Serialization of the bench's DataMover record, with the options the Kube client's contexts use.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(Rfc3339Converter)])]
[JsonSerializable(typeof(BenchDataMover))]
[JsonSerializable(typeof(KubeList<BenchDataMover>))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
