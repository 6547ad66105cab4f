using System.Text.Json.Serialization;

namespace DataMover.Operator.Retention;

/// <summary>Source-generated reading of the mover's prune result (camelCase, as the mover writes it).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(PruneResult))]
internal sealed partial class RetentionJsonContext : JsonSerializerContext;
