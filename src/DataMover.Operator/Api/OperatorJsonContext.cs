using System.Text.Json.Serialization;
using DataMover.Kube.Json;
using DataMover.Kube.Models;

namespace DataMover.Operator.Api;

/// <summary>Source-generated serialization of the operator's own resources, with the same options as the built-ins.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(Rfc3339Converter)])]
[JsonSerializable(typeof(DataMover))]
[JsonSerializable(typeof(KubeList<DataMover>))]
[JsonSerializable(typeof(DataMoverStatus))]
[JsonSerializable(typeof(DataMoverSchedule))]
[JsonSerializable(typeof(KubeList<DataMoverSchedule>))]
[JsonSerializable(typeof(DataMoverScheduleStatus))]
[JsonSerializable(typeof(DataMoverRestore))]
[JsonSerializable(typeof(KubeList<DataMoverRestore>))]
[JsonSerializable(typeof(DataMoverRestoreStatus))]
[JsonSerializable(typeof(MoverPodSettings))]
internal sealed partial class OperatorJsonContext : JsonSerializerContext;
