using System.Text.Json.Serialization;

namespace DataMover.Operator.Controllers;

/// <summary>Source-generated reading of the mover's result (camelCase, as the mover writes it).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(MoverResult))]
internal sealed partial class MoverResultJsonContext : JsonSerializerContext;
