using System.Text.Json.Serialization;
using DataMover.Kube.Json;
using DataMover.Kube.Models;

namespace DataMover.Operator.Security;

/// <summary>Source-generated serialization of the ServiceAccount, with the built-ins' options.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(Rfc3339Converter)])]
[JsonSerializable(typeof(ServiceAccount))]
[JsonSerializable(typeof(KubeList<ServiceAccount>))]
internal sealed partial class SecurityJsonContext : JsonSerializerContext;
